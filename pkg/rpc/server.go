package rpc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"github.com/rs/zerolog"
)

// ServerConfig configures a Server. Zero values take the documented defaults.
type ServerConfig struct {
	Service   string // "booking": request streams askpro:rpc:booking:<lane>; also the consumer group
	Instance  string // consumer name (POD_NAME); stable across restarts of the same pod; default DefaultInstance()
	Namespace string // key prefix, default "askpro"; tests pass testenv's prefix
	Workers   int    // concurrent handlers, default 64

	// Version is reported by rpc.info and rpc.discover.
	Version string
	// Readers is the number of reader goroutines per request lane, default 2.
	Readers int
	// MaxBatch caps the COUNT of one read, default 64.
	MaxBatch int
	// Block is how long one read waits for entries, default and maximum 1s.
	Block time.Duration
	// ClaimMinIdle is how long an entry must sit unacknowledged before another consumer claims
	// it, default 5s. Keep it well below the callers' deadlines (30 s by default) so a crashed
	// consumer's requests are still answered; running handlers extend their claim every
	// ClaimMinIdle/3, so slow handlers are not claimed away.
	ClaimMinIdle time.Duration
	// ClaimInterval is how often idle pending entries are looked for, default 1s.
	ClaimInterval time.Duration
	// MaxDeliveries: an entry delivered more often goes to the dead-letter stream, default 8.
	MaxDeliveries int
	// RetryMaxDelay caps the pause before a failed event or notification is delivered again.
	// The pause starts at ClaimMinIdle and doubles with every delivery, up to RetryMaxDelay
	// (default 5m): with the defaults 5, 10, 20, 40, 80, 160 and 300 s, so an event outlasts
	// about ten minutes of a dependency's outage before it is dead-lettered.
	RetryMaxDelay time.Duration
	// JanitorInterval is how often idle consumers are removed and streams trimmed, default 1m.
	JanitorInterval time.Duration
	// ConsumerIdle: a consumer idle this long with nothing pending is deleted, default 10m.
	ConsumerIdle time.Duration
	// LaneRetention: request entries older than this are trimmed (MINID), default 1h.
	LaneRetention time.Duration
	// EventRetention: event entries older than this are trimmed (MINID), default 24h.
	EventRetention time.Duration
	// ResultTTL keeps the stored results of non-idempotent methods, default 24h.
	ResultTTL time.Duration
	// InProgressWait bounds how long a duplicate waits for the original's result, default 5s.
	InProgressWait time.Duration
	// DrainTimeout bounds how long Run waits for in-flight work after ctx ends, default 25s.
	DrainTimeout time.Duration
	// ReplyMaxLen trims reply streams (MAXLEN ~), default 10000.
	ReplyMaxLen int64
	// DeadLetterMaxLen trims the dead-letter stream (MAXLEN ~), default 100000.
	DeadLetterMaxLen int64
	// StatsInterval is how often lag, pending and dead-letter gauges are refreshed, default 10s.
	StatsInterval time.Duration
}

const (
	heartbeatEvery = time.Second
	liveWindow     = 5 * time.Second // an instance is live if it beat within this window
	contendedBlock = 10 * time.Millisecond
)

func (c *ServerConfig) defaults() error {
	if c.Service == "" {
		return errors.New("rpc server: Service is required")
	}
	if c.Instance == "" {
		c.Instance = DefaultInstance()
	}
	c.Namespace = namespaceOr(c.Namespace)
	setDefault(&c.Workers, 64)
	setDefault(&c.Readers, 2)
	setDefault(&c.MaxBatch, 64)
	setDefault(&c.MaxDeliveries, 8)
	if c.Block <= 0 || c.Block > time.Second {
		c.Block = time.Second
	}
	setDefault(&c.ClaimMinIdle, 5*time.Second)
	setDefault(&c.ClaimInterval, time.Second)
	setDefault(&c.RetryMaxDelay, 5*time.Minute)
	c.RetryMaxDelay = max(c.RetryMaxDelay, c.ClaimMinIdle)
	setDefault(&c.JanitorInterval, time.Minute)
	setDefault(&c.ConsumerIdle, 10*time.Minute)
	setDefault(&c.LaneRetention, time.Hour)
	setDefault(&c.EventRetention, 24*time.Hour)
	setDefault(&c.ResultTTL, 24*time.Hour)
	setDefault(&c.InProgressWait, 5*time.Second)
	setDefault(&c.DrainTimeout, 25*time.Second)
	setDefault(&c.ReplyMaxLen, 10000)
	setDefault(&c.DeadLetterMaxLen, 100000)
	setDefault(&c.StatsInterval, 10*time.Second)
	return nil
}

func setDefault[T int | int64 | time.Duration](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// Server consumes a service's request lanes and its event subscriptions, runs the registered
// handlers and writes replies. Register methods and subscriptions before Run.
type Server struct {
	cfg      ServerConfig
	rdb      *redis.Client
	blk      *redis.Client // blocking reads only
	log      zerolog.Logger
	metrics  *serverMetrics
	gate     *gate
	inFlight prometheus.Gauge
	writer   batcher[outcome]
	dlqKey   string
	started  time.Time

	clock      clock
	running    atomic.Bool
	serving    atomic.Bool  // groups made, first beat sent, loops reading; false once draining
	lastBeat   atomic.Int64 // UnixMilli of the last heartbeat that reached Redis
	methods    map[string]*method
	sources    []*source
	broadcasts []*broadcast // SubscribeAll
	// ioCtx carries values but no cancellation: reads and writes in flight finish during drain.
	ioCtx context.Context
}

// source is one stream the server consumes: a request lane or an event subscription.
type source struct {
	key   string
	group string
	lane  Lane
	class int
	event *subscription // nil for request lanes

	mu       sync.Mutex
	inflight map[string]time.Time // entry id -> when work started, for lease extension
	held     map[string]time.Time // failed entry id -> lease renewed until then (its retry pause)

	queueWait prometheus.Observer
	expired   prometheus.Counter
}

// addSource adds a stream to consume, with its metric children resolved once.
func (s *Server) addSource(src *source) {
	src.inflight = map[string]time.Time{}
	src.held = map[string]time.Time{}
	src.queueWait = s.metrics.queueWait.WithLabelValues(s.cfg.Service, src.key)
	src.expired = s.metrics.expired.WithLabelValues(s.cfg.Service, src.key)
	s.sources = append(s.sources, src)
}

// NewServer returns a server for cfg.Service. rdb is used for writes; blocking reads get a
// small pool of their own. reg may be nil.
func NewServer(rdb *redis.Client, cfg ServerConfig, logger zerolog.Logger, reg prometheus.Registerer) (*Server, error) {
	if rdb == nil {
		return nil, errors.New("rpc server: nil redis client")
	}
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		rdb:     rdb,
		log:     logger.With().Str("component", "rpc_server").Str("rpc_service", cfg.Service).Logger(),
		metrics: newServerMetrics(reg),
		gate:    newGate(cfg.Workers),
		dlqKey:  DeadLetterStream(cfg.Namespace, cfg.Service),
		methods: map[string]*method{},
	}
	for _, l := range Lanes {
		s.addSource(&source{key: RequestStream(cfg.Namespace, cfg.Service, l), group: cfg.Service, lane: l, class: l.class()})
	}
	s.writer.flush = s.flush
	s.inFlight = s.metrics.inFlight.WithLabelValues(cfg.Service)
	registerBuiltins(s)
	return s, nil
}

// newBlockingClient returns a client with its own small pool for blocking reads, so they never
// starve the shared pool.
func newBlockingClient(rdb *redis.Client, conns int) *redis.Client {
	opts := *rdb.Options()
	opts.PoolSize = conns + 2
	opts.MinIdleConns = 0
	opts.MaxIdleConns = conns + 2
	// A processor is bound to one client; blocking reads need no push notifications.
	opts.PushNotificationProcessor = nil
	opts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return redis.NewClient(&opts)
}

// Run consumes requests and events until ctx ends, then drains: it stops reading, lets the
// work in flight finish, writes its replies and acknowledgements and returns. It returns nil
// after a complete drain.
func (s *Server) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("rpc server: Run called twice")
	}
	s.started = time.Now()
	s.ioCtx = context.WithoutCancel(ctx)
	readers := len(s.sources)*s.cfg.Readers + len(s.broadcasts)
	s.blk = newBlockingClient(s.rdb, readers)
	defer func() { _ = s.blk.Close() }()
	if err := s.ensureGroups(s.ioCtx); err != nil {
		return err
	}
	if err := s.startBroadcasts(s.ioCtx); err != nil {
		return err
	}
	s.heartbeat(s.ioCtx)

	var loops sync.WaitGroup
	for _, src := range s.sources {
		s.recoverOwn(ctx, src)
	}
	s.startLoops(ctx, &loops)
	s.serving.Store(true)
	s.log.Info().Str("instance", s.cfg.Instance).Int("workers", s.cfg.Workers).Msg("rpc_server_started")
	<-ctx.Done()
	s.serving.Store(false)
	loops.Wait()
	err := s.drain()
	s.leave()
	s.log.Info().Msg("rpc_server_stopped")
	return err
}

func (s *Server) startLoops(ctx context.Context, wg *sync.WaitGroup) {
	spawn := func(f func()) { wg.Add(1); go func() { defer wg.Done(); f() }() }
	for _, src := range s.sources {
		n := s.cfg.Readers
		if src.event != nil {
			n = 1
		}
		for range n {
			spawn(func() { s.readLoop(ctx, src) })
		}
	}
	for _, b := range s.broadcasts {
		spawn(func() { s.broadcastLoop(ctx, b) })
	}
	spawn(func() { s.every(ctx, s.cfg.ClaimInterval, s.claimAll) })
	spawn(func() { s.every(ctx, s.cfg.ClaimMinIdle/3, s.extendLeases) })
	spawn(func() { s.every(ctx, heartbeatEvery, s.heartbeat) })
	spawn(func() { s.every(ctx, s.cfg.JanitorInterval, s.janitor) })
	spawn(func() { s.every(ctx, s.cfg.StatsInterval, s.stats) })
}

func (s *Server) drain() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.DrainTimeout)
	defer cancel()
	// Leases must keep running while the last handlers finish.
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(s.cfg.ClaimMinIdle / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				s.extendLeases(s.ioCtx)
			}
		}
	}()
	defer close(stop)
	if err := s.gate.wait(ctx); err != nil {
		s.log.Warn().Int("in_flight", s.gate.inUse()).Msg("rpc_drain_timeout")
		return fmt.Errorf("drain: %d entries still in flight: %w", s.gate.inUse(), err)
	}
	return nil
}

// every runs f now and then every d until ctx ends.
func (s *Server) every(ctx context.Context, d time.Duration, f func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f(s.ioCtx)
		}
	}
}

func (s *Server) ensureGroups(ctx context.Context) error {
	for _, src := range s.sources {
		if err := s.ensureGroup(ctx, src); err != nil {
			return err
		}
	}
	return nil
}

// ensureGroup creates src's consumer group at "0", so entries written before the first
// consumer started are not skipped.
func (s *Server) ensureGroup(ctx context.Context, src *source) error {
	err := s.rdb.XGroupCreateMkStream(ctx, src.key, src.group, "0").Err()
	if err != nil && !isBusyGroup(err) {
		return fmt.Errorf("create group %s on %s: %w", src.group, src.key, err)
	}
	return nil
}

func isBusyGroup(err error) bool { return err != nil && redisErrPrefix(err, "BUSYGROUP") }

func isNoGroup(err error) bool { return err != nil && redisErrPrefix(err, "NOGROUP") }

// redisErrPrefix reports whether err, or an error it wraps, is a Redis reply starting with
// prefix.
func redisErrPrefix(err error, prefix string) bool {
	for ; err != nil; err = errors.Unwrap(err) {
		if msg := err.Error(); len(msg) >= len(prefix) && msg[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}

// heartbeat marks this instance live (clients use it for the no-responders check) and keeps
// the offset to Redis's clock current.
func (s *Server) heartbeat(ctx context.Context) {
	s.clock.sample(ctx, s.rdb)
	key := instancesKey(s.cfg.Namespace, s.cfg.Service)
	now := time.Now()
	pipe := s.rdb.Pipeline()
	pipe.ZAdd(ctx, key, redis.Z{Score: float64(now.UnixMilli()), Member: s.cfg.Instance})
	pipe.ZRemRangeByScore(ctx, key, "-inf", fmt.Sprint(now.Add(-10*liveWindow).UnixMilli()))
	pipe.Expire(ctx, key, time.Hour)
	if _, err := pipe.Exec(ctx); err != nil {
		s.log.Warn().Err(err).Msg("rpc_heartbeat_failed")
		return
	}
	s.lastBeat.Store(now.UnixMilli())
}

// Ready is a readiness check (health.CheckFunc): nil while Run consumes the service's streams
// and callers see this instance as live, that is, its consumer groups exist, its loops read
// and its last heartbeat reached Redis within the live window. Before Run has got that far,
// while it drains and when heartbeats fail, it says why not.
func (s *Server) Ready(context.Context) error {
	if !s.serving.Load() {
		return errors.New("rpc server not consuming")
	}
	beat := s.lastBeat.Load()
	if beat == 0 {
		return errors.New("rpc server: no heartbeat has reached Redis")
	}
	if since := time.Since(time.UnixMilli(beat)); since > liveWindow {
		return fmt.Errorf("rpc server: last heartbeat %s ago", since.Round(time.Millisecond))
	}
	return nil
}

func (s *Server) leave() {
	key := instancesKey(s.cfg.Namespace, s.cfg.Service)
	if err := s.rdb.ZRem(s.ioCtx, key, s.cfg.Instance).Err(); err != nil {
		s.log.Warn().Err(err).Msg("rpc_leave_failed")
	}
}

func (src *source) track(id string) bool {
	src.mu.Lock()
	defer src.mu.Unlock()
	if _, ok := src.inflight[id]; ok {
		return false
	}
	delete(src.held, id)
	src.inflight[id] = time.Now()
	return true
}

func (src *source) untrack(id string) {
	src.mu.Lock()
	delete(src.inflight, id)
	src.mu.Unlock()
}

// hold keeps renewing the lease of a failed entry until until, so no instance claims it
// before then: the entry waits out its retry pause in the pending entries list.
func (src *source) hold(id string, until time.Time) {
	src.mu.Lock()
	delete(src.inflight, id)
	src.held[id] = until
	src.mu.Unlock()
}

// leases lists the entries whose lease to renew: in-flight entries started before d ago and
// held entries whose hold has not ended (ended holds are dropped: those entries become
// claimable ClaimMinIdle after their last renewal).
func (src *source) leases(d time.Duration, now time.Time) []string {
	src.mu.Lock()
	defer src.mu.Unlock()
	var ids []string
	cut := now.Add(-d)
	for id, t := range src.inflight {
		if t.Before(cut) {
			ids = append(ids, id)
		}
	}
	for id, until := range src.held {
		if now.Before(until) {
			ids = append(ids, id)
		} else {
			delete(src.held, id)
		}
	}
	return ids
}
