package main

import (
	"context"
	"fmt"
	"net/http"
	"text/tabwriter"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// breakerMetric is the calcom service's gauge: 0 closed, 1 half-open, 2 open per account.
const breakerMetric = "askpro_calcom_breaker_state"

var breakerStates = map[float64]string{0: "closed", 1: "half-open", 2: "OPEN"}

// breakerStatus prints the Cal.com breaker of every account on every calcom instance named
// in CALCOM_METRICS_URLS. Breakers live in each instance's memory, so they are read where
// they live, from the instances' /metrics.
func (a *app) breakerStatus(ctx context.Context) {
	writeln(a.out, "\ncalcom breakers")
	if len(a.cfg.CalcomMetrics) == 0 {
		writeln(a.out, "  set CALCOM_METRICS_URLS to the calcom instances' /metrics URLs to show them")
		return
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	writeln(tw, "INSTANCE\tACCOUNT\tSTATE\t")
	for _, u := range a.cfg.CalcomMetrics {
		states, err := scrapeBreakers(ctx, u)
		if err != nil {
			writef(tw, "%s\t-\tunreachable: %v\t\n", u, err)
			continue
		}
		if len(states) == 0 {
			writef(tw, "%s\t-\tno account used yet\t\n", u)
		}
		for account, v := range states {
			writef(tw, "%s\t%s\t%s\t\n", u, account, breakerStates[v])
		}
	}
	_ = tw.Flush()
}

func scrapeBreakers(ctx context.Context, url string) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("parse metrics: %w", err)
	}
	out := map[string]float64{}
	if mf, ok := families[breakerMetric]; ok {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "account" {
					out[l.GetValue()] = m.GetGauge().GetValue()
				}
			}
		}
	}
	return out, nil
}
