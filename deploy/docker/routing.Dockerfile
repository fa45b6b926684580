# The routing service. Build from the repository root:
#   docker build -f deploy/docker/routing.Dockerfile -t askpro/routing .
# The module builds with GOWORK=off through its own replace lines, so only the modules it
# needs are copied; go.mod files first, so the download layer is cached across code changes.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY migrations/go.mod migrations/go.sum migrations/
COPY pkg/go.mod pkg/go.sum pkg/
COPY services/routing/go.mod services/routing/go.sum services/routing/
RUN --mount=type=cache,target=/go/pkg/mod cd services/routing && GOWORK=off go mod download
COPY migrations migrations
COPY pkg pkg
COPY services/routing services/routing
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    cd services/routing && CGO_ENABLED=0 GOWORK=off go build -trimpath \
    -ldflags "-s -w -X github.com/askproai/backend/pkg/lifecycle.Version=${VERSION}" -o /out/routing .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/routing /usr/local/bin/routing
USER nonroot:nonroot
EXPOSE 9101
ENTRYPOINT ["/usr/local/bin/routing"]
