# calsim, the Cal.com API v2 simulator (tests, demos, staging). Build from the repository root:
#   docker build -f deploy/docker/calsim.Dockerfile -t askpro/calsim .
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY migrations/go.mod migrations/go.sum migrations/
COPY pkg/go.mod pkg/go.sum pkg/
COPY services/calcom/go.mod services/calcom/go.sum services/calcom/
RUN --mount=type=cache,target=/go/pkg/mod cd services/calcom && GOWORK=off go mod download
COPY migrations migrations
COPY pkg pkg
COPY services/calcom services/calcom
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    cd services/calcom && CGO_ENABLED=0 GOWORK=off go build -trimpath -ldflags "-s -w" -o /out/calsim ./cmd/calsim

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/calsim /usr/local/bin/calsim
USER nonroot:nonroot
EXPOSE 5555
ENTRYPOINT ["/usr/local/bin/calsim"]
