# The database service, and askpro beside it. Build from the repository root:
#   docker build -f deploy/docker/database.Dockerfile -t askpro/database .
# The module builds with GOWORK=off through its own replace lines, so only the modules it
# needs are copied; go.mod files first, so the download layer is cached across code changes.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY migrations/go.mod migrations/go.sum migrations/
COPY pkg/go.mod pkg/go.sum pkg/
COPY services/database/go.mod services/database/go.sum services/database/
RUN --mount=type=cache,target=/go/pkg/mod cd services/database && GOWORK=off go mod download
COPY migrations migrations
COPY pkg pkg
COPY services/database services/database
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    cd services/database && CGO_ENABLED=0 GOWORK=off go build -trimpath \
    -ldflags "-s -w -X github.com/askproai/backend/pkg/lifecycle.Version=${VERSION}" -o /out/database . && \
    CGO_ENABLED=0 GOWORK=off go build -trimpath -ldflags "-s -w" -o /out/askpro ./cmd/askpro

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/database /usr/local/bin/database
# The operators' CLI, for the maintenance CronJobs (deploy/k8s/base/maintenance.yaml).
COPY --from=build /out/askpro /usr/local/bin/askpro
USER nonroot:nonroot
EXPOSE 9104
ENTRYPOINT ["/usr/local/bin/database"]
