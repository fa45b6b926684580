//go:build !askpro_testclock

package clock

import "time"

const overridable = false

func now() time.Time { return time.Now() }
