// Package chaos holds the fault tests of issue 11: each starts a whole system (calsim and the
// six services as separate processes, pkg/stack), puts simulated calls on it (loadsim), breaks
// something underneath (a booking instance killed with SIGKILL, Redis restarted, PostgreSQL
// stopped for 10 s, Cal.com failing and slow) and checks that nothing is lost, nothing is booked
// twice and callers are answered in time.
//
// They take minutes, so they run only with ASKPRO_CHAOS=1 (`make chaos`); `make test` skips them
// on purpose.
package chaos
