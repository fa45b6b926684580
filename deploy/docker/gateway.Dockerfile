# The gateway service. Build from the repository root:
#   docker build -f deploy/docker/gateway.Dockerfile -t askpro/gateway .
# The module builds with GOWORK=off through its own replace lines, so only the modules it
# needs are copied; go.mod files first, so the download layer is cached across code changes.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY migrations/go.mod migrations/go.sum migrations/
COPY pkg/go.mod pkg/go.sum pkg/
COPY services/gateway/go.mod services/gateway/go.sum services/gateway/
RUN --mount=type=cache,target=/go/pkg/mod cd services/gateway && GOWORK=off go mod download
COPY migrations migrations
COPY pkg pkg
COPY services/gateway services/gateway
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    cd services/gateway && CGO_ENABLED=0 GOWORK=off go build -trimpath \
    -ldflags "-s -w -X github.com/askproai/backend/pkg/lifecycle.Version=${VERSION}" -o /out/gateway .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gateway /usr/local/bin/gateway
USER nonroot:nonroot
EXPOSE 8080 9100
ENTRYPOINT ["/usr/local/bin/gateway"]
