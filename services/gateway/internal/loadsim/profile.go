package loadsim

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CPU is the CPU time (user + system) each binary of binDir has used so far, summed over its
// processes, read from /proc; plus the PostgreSQL backends serving database dbName and the
// Redis server (shared with whatever else uses it), and this process, the load generator,
// which competes with them for the same cores. It is empty where /proc is not available.
func CPU(binDir, dbName string) map[string]time.Duration {
	out := map[string]time.Duration{}
	procs, _ := filepath.Glob("/proc/[0-9]*")
	tick := 100.0 // USER_HZ on Linux
	self := strconv.Itoa(os.Getpid())
	for _, p := range procs {
		name := ""
		exe, _ := os.Readlink(filepath.Join(p, "exe"))
		cmdline, _ := os.ReadFile(filepath.Join(p, "cmdline"))
		switch {
		case filepath.Base(p) == self:
			name = "loadgen(self)"
		case exe != "" && strings.HasPrefix(exe, binDir+string(filepath.Separator)):
			name = filepath.Base(exe)
		case dbName != "" && strings.HasPrefix(string(cmdline), "postgres: ") && strings.Contains(string(cmdline), " "+dbName+" "):
			name = "postgres(backends)"
		case strings.HasPrefix(string(cmdline), "redis-server"):
			name = "redis(shared)"
		default:
			continue
		}
		raw, err := os.ReadFile(filepath.Join(p, "stat"))
		if err != nil {
			continue
		}
		// Fields after the ")" of the command name: state is field 3, utime 14, stime 15.
		rest := string(raw[strings.LastIndexByte(string(raw), ')')+2:])
		f := strings.Fields(rest)
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseFloat(f[11], 64)
		s, _ := strconv.ParseFloat(f[12], 64)
		out[name] += time.Duration((u + s) / tick * float64(time.Second))
	}
	return out
}

// PrintCPU writes the CPU each binary used between two samples, busiest first.
func PrintCPU(w io.Writer, before, after map[string]time.Duration, wall time.Duration) {
	type row struct {
		name string
		cpu  time.Duration
	}
	var rows []row
	for name, a := range after {
		rows = append(rows, row{name, a - before[name]})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].cpu > rows[j].cpu })
	line := "cpu during the load:"
	for _, r := range rows {
		line += fmt.Sprintf(" %s=%.1fs(%.0f%%)", r.name, r.cpu.Seconds(), 100*r.cpu.Seconds()/wall.Seconds())
	}
	fmt.Fprintln(w, line)
}

// rpcStat is one service method's or stream's handling or queue time.
type rpcStat struct {
	key        string
	sum, count float64
}

// PrintRPC scrapes every service's /metrics and writes where the bus time went: handler run
// time per method and queue wait per stream, the largest totals first.
func PrintRPC(ctx context.Context, w io.Writer, ops map[string]string, top int) {
	handling, queue := map[string]*rpcStat{}, map[string]*rpcStat{}
	for _, addr := range ops {
		scrape(ctx, "http://"+addr+"/metrics", map[string]map[string]*rpcStat{
			"askpro_rpc_server_handling_seconds": handling, "askpro_rpc_queue_wait_seconds": queue})
	}
	for _, part := range []struct {
		title string
		m     map[string]*rpcStat
	}{{"handler time per method", handling}, {"queue wait per stream", queue}} {
		stats := make([]*rpcStat, 0, len(part.m))
		for _, s := range part.m {
			stats = append(stats, s)
		}
		sort.Slice(stats, func(i, j int) bool { return stats[i].sum > stats[j].sum })
		fmt.Fprintf(w, "%s (total, count, mean):\n", part.title)
		for i, s := range stats {
			if i == top || s.count == 0 {
				break
			}
			fmt.Fprintf(w, "  %-52s %8.1fs %7.0f %9.1fms\n", s.key, s.sum, s.count, 1000*s.sum/s.count)
		}
	}
}

func scrape(ctx context.Context, url string, into map[string]map[string]*rpcStat) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for metric, m := range into {
			var field string
			switch {
			case strings.HasPrefix(line, metric+"_sum{"):
				field = "sum"
			case strings.HasPrefix(line, metric+"_count{"):
				field = "count"
			default:
				continue
			}
			open, closing := strings.IndexByte(line, '{'), strings.LastIndexByte(line, '}')
			if closing < open {
				continue
			}
			key := strings.NewReplacer(`"`, "", "service=", "", "method=", "", "stream=", "").Replace(line[open+1 : closing])
			v, err := strconv.ParseFloat(strings.TrimSpace(line[closing+1:]), 64)
			if err != nil {
				continue
			}
			s := m[key]
			if s == nil {
				s = &rpcStat{key: key}
				m[key] = s
			}
			if field == "sum" {
				s.sum += v
			} else {
				s.count += v
			}
		}
	}
}
