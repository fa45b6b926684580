package testenv

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// startContainer starts image with testcontainers-go and returns host:port of port. The
// container is removed by testcontainers' reaper when the test binary exits.
func startContainer(image, port string, env map[string]string, readyLog string) (string, error) {
	if !dockerConfigured() {
		return "", errors.New("no Docker engine configured (DOCKER_HOST or /var/run/docker.sock)")
	}
	ctx := background()
	c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        image,
			ExposedPorts: []string{port},
			Env:          env,
			WaitingFor:   wait.ForLog(readyLog).WithStartupTimeout(90 * time.Second),
		},
		Started: true,
	})
	if err != nil {
		return "", fmt.Errorf("start %s: %w", image, err)
	}
	host, err := c.Host(ctx)
	if err != nil {
		return "", err
	}
	mapped, err := c.MappedPort(ctx, port)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s:%s", host, mapped.Port()), nil
}

func dockerConfigured() bool {
	if os.Getenv("DOCKER_HOST") != "" {
		return true
	}
	_, err := os.Stat("/var/run/docker.sock")
	return err == nil
}
