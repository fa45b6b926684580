# The calcom service. Build from the repository root:
#   docker build -f deploy/docker/calcom.Dockerfile -t askpro/calcom .
# The module builds with GOWORK=off through its own replace lines, so only the modules it
# needs are copied; go.mod files first, so the download layer is cached across code changes.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY migrations/go.mod migrations/go.sum migrations/
COPY pkg/go.mod pkg/go.sum pkg/
COPY services/calcom/go.mod services/calcom/go.sum services/calcom/
RUN --mount=type=cache,target=/go/pkg/mod cd services/calcom && GOWORK=off go mod download
COPY migrations migrations
COPY pkg pkg
COPY services/calcom services/calcom
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    cd services/calcom && CGO_ENABLED=0 GOWORK=off go build -trimpath \
    -ldflags "-s -w -X github.com/askproai/backend/pkg/lifecycle.Version=${VERSION}" -o /out/calcom .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/calcom /usr/local/bin/calcom
USER nonroot:nonroot
EXPOSE 9105
ENTRYPOINT ["/usr/local/bin/calcom"]
