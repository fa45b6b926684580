# The booking service. Build from the repository root:
#   docker build -f deploy/docker/booking.Dockerfile -t askpro/booking .
# The module builds with GOWORK=off through its own replace lines, so only the modules it
# needs are copied; go.mod files first, so the download layer is cached across code changes.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY migrations/go.mod migrations/go.sum migrations/
COPY pkg/go.mod pkg/go.sum pkg/
COPY services/booking/go.mod services/booking/go.sum services/booking/
RUN --mount=type=cache,target=/go/pkg/mod cd services/booking && GOWORK=off go mod download
COPY migrations migrations
COPY pkg pkg
COPY services/booking services/booking
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    cd services/booking && CGO_ENABLED=0 GOWORK=off go build -trimpath \
    -ldflags "-s -w -X github.com/askproai/backend/pkg/lifecycle.Version=${VERSION}" -o /out/booking .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/booking /usr/local/bin/booking
USER nonroot:nonroot
EXPOSE 9103
ENTRYPOINT ["/usr/local/bin/booking"]
