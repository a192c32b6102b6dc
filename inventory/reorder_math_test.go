package inventory

import (
	"math"
	"testing"
)

// week12 is twelve weeks of issues of one spare part, oldest first: three
// demands in twelve weeks, the pattern Croston's method is made for.
//
//	week   1  2  3  4  5  6  7  8  9 10 11 12
//	issues 0  0  3  0  0  0  2  0  0  4  0  0
var week12 = []int64{0, 0, 3, 0, 0, 0, 2, 0, 0, 4, 0, 0}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.10f, want %.10f (±%g)", what, got, want, tol)
	}
}

// TestSBAHandWorked works Croston/SBA through week12 with alpha (size) =
// beta (interval) = 0.2, so the bias factor is 1 - 0.2/2 = 0.9.
//
// Start at the first demand, week 3: size z = 3, interval p = 3 (weeks 1..3),
// forecast f = 0.9 * 3/3 = 0.9.
//
//	wk d  f before  error   error²      update
//	 4 0  0.9       -0.9    0.81
//	 5 0  0.9       -0.9    0.81
//	 6 0  0.9       -0.9    0.81
//	 7 2  0.9        1.1    1.21        q=4: z = 3 + 0.2(2-3) = 2.8, p = 3 + 0.2(4-3) = 3.2
//	                                    f = 0.9 * 2.8/3.2 = 0.7875
//	 8 0  0.7875    -0.7875 0.62015625
//	 9 0  0.7875    -0.7875 0.62015625
//	10 4  0.7875     3.2125 10.32015625 q=3: z = 2.8 + 0.2(4-2.8) = 3.04, p = 3.2 + 0.2(3-3.2) = 3.16
//	                                    f = 0.9 * 3.04/3.16 = 0.8658227848
//	11 0  0.865823  -0.865823 0.74964909
//	12 0  0.865823  -0.865823 0.74964909
//
// Sum of squared errors 16.6997669394 over 9 weeks: MSE = 1.8555296599.
// (Plain Croston would forecast 3.04/3.16 = 0.9620253165.)
func TestSBAHandWorked(t *testing.T) {
	f := sba(week12, 0.2, 0.2)
	near(t, "rate", f.Rate, 0.8658227848, 1e-9)
	near(t, "size", f.Size, 3.04, 1e-12)
	near(t, "interval", f.Interval, 3.16, 1e-12)
	near(t, "mse", f.MSE, 1.8555296599, 1e-9)
}

// TestTSBHandWorked works TSB through week12 with alpha (size) = beta
// (probability) = 0.2. Start at week 3: size z = 3, probability
// p = 1/3 (one demand in weeks 1..3), forecast f = p*z = 1.
//
//	wk d  f before   error     error²      update (p every week, z on demand)
//	 4 0  1          -1        1           p = 0.8*(1/3) = 0.266667         f = 0.8
//	 5 0  0.8        -0.8      0.64        p = 0.213333                     f = 0.64
//	 6 0  0.64       -0.64     0.4096      p = 0.170667                     f = 0.512
//	 7 2  0.512       1.488    2.214144    p = 0.170667 + 0.2(1-0.170667) = 0.336533
//	                                       z = 3 + 0.2(2-3) = 2.8           f = 0.942293
//	 8 0  0.942293   -0.942293 0.887917    p = 0.269227                     f = 0.753835
//	 9 0  0.753835   -0.753835 0.568267    p = 0.215381                     f = 0.603068
//	10 4  0.603068    3.396932 11.539149   p = 0.215381 + 0.2(1-0.215381) = 0.372305
//	                                       z = 2.8 + 0.2(4-2.8) = 3.04      f = 1.131807
//	11 0  1.131807   -1.131807 1.280988    p = 0.297844                     f = 0.905446
//	12 0  0.905446   -0.905446 0.819832    p = 0.238275                     f = 0.724357
//
// Sum of squared errors 19.3598965697 over 9 weeks: MSE = 2.1510996189.
// Two quiet weeks at the end pull TSB's rate (0.7244) under SBA's (0.8658),
// which only moves on a demand: that decay is why TSB suits parts going
// obsolete.
func TestTSBHandWorked(t *testing.T) {
	f := tsb(week12, 0.2, 0.2)
	near(t, "rate", f.Rate, 0.7243567377, 1e-9)
	near(t, "size", f.Size, 3.04, 1e-12)
	near(t, "probability", f.Probability, 0.2382752427, 1e-9)
	near(t, "mse", f.MSE, 2.1510996189, 1e-9)
}

// TestForecastEdges: no demand forecasts nothing; a single demand in the
// last period has no forecast error to measure, so the spread falls back
// to the series' variance: [0 0 0 4] has mean 1 and variance
// (1+1+1+9)/4 = 3.
func TestForecastEdges(t *testing.T) {
	for _, fn := range []struct {
		name string
		f    func([]int64, float64, float64) Forecast
	}{{"sba", sba}, {"tsb", tsb}} {
		if f := fn.f([]int64{0, 0, 0, 0}, 0.1, 0.1); f != (Forecast{}) {
			t.Errorf("%s of no demand = %+v, want zero", fn.name, f)
		}
		f := fn.f([]int64{0, 0, 0, 4}, 0.1, 0.1)
		near(t, fn.name+" mse fallback", f.MSE, 3, 1e-12)
	}
	// SBA at the last-period demand: size 4, interval 4, 0.95 * 4/4.
	near(t, "sba single", sba([]int64{0, 0, 0, 4}, 0.1, 0.1).Rate, 0.95, 1e-12)
	// TSB: probability 1/4, size 4.
	near(t, "tsb single", tsb([]int64{0, 0, 0, 4}, 0.1, 0.1).Rate, 1, 1e-12)
}

// TestNormInv checks z against the standard normal table: 95% -> 1.6449,
// 99% -> 2.3263, 90% -> 1.2816, 50% -> 0, and the tails, where Acklam's
// approximation switches formula.
func TestNormInv(t *testing.T) {
	for _, c := range []struct{ p, z float64 }{
		{0.95, 1.6448536270}, {0.99, 2.3263478740}, {0.90, 1.2815515655}, {0.5, 0},
		{0.001, -3.0902323062}, {0.9999, 3.7190164855}, {0.02, -2.0537489106},
	} {
		near(t, "NormInv("+ftoa(c.p)+")", NormInv(c.p), c.z, 1e-9)
	}
	for _, p := range []float64{0, 1, -1, math.NaN()} {
		if !math.IsNaN(NormInv(p)) {
			t.Errorf("NormInv(%v) should be NaN", p)
		}
	}
}

// TestPlanForHandWorked derives reorder points from week12.
func TestPlanForHandWorked(t *testing.T) {
	cases := []struct {
		name         string
		p            ReorderPolicy
		rop, upTo    int64
		mean, sigma  float64
		safetyStock  int64
		z            float64
		withEstimate bool
	}{
		{
			// SBA rate 0.8658227848, MSE 1.8555296599 (TestSBAHandWorked).
			// Lead time 14 days = 2 weekly periods, no review period: P = 2.
			// mean = 0.8658227848 * 2 = 1.7316455696 -> 2 units
			// sigma = sqrt(2 * 1.8555296599) = 1.9264109945
			// z(95%) = 1.6448536270; z*sigma = 3.1686641114 -> 4 units
			// reorder point = 2 + 4 = 6; no max: order up to 6 + 2 = 8.
			name: "sba derived 95%",
			p: ReorderPolicy{SKU: "X", Method: MethodROP, ROP: ROPDerived, LeadTimeDays: 14,
				ServiceLevel: 0.95, Forecast: ForecastSBA, Alpha: 0.2, Beta: 0.2, PeriodDays: 7, HistoryPeriods: 12},
			rop: 6, upTo: 8, mean: 1.7316455696, sigma: 1.9264109945, safetyStock: 4, z: 1.6448536270, withEstimate: true,
		},
		{
			// TSB rate 0.7243567377, MSE 2.1510996189 (TestTSBHandWorked).
			// Lead time 14 days + review 7 days = 3 periods.
			// mean = 2.1730702131 -> 3; sigma = sqrt(3 * 2.1510996189) = 2.5403343986
			// z(90%) = 1.2815515655; z*sigma = 3.2555695255 -> 4
			// reorder point = 3 + 4 = 7; max 12: order up to 12.
			name: "tsb derived 90% with max",
			p: ReorderPolicy{SKU: "X", Method: MethodROP, ROP: ROPDerived, LeadTimeDays: 14, ReviewPeriodDays: 7,
				Max: 12, ServiceLevel: 0.90, Forecast: ForecastTSB, Alpha: 0.2, Beta: 0.2, PeriodDays: 7, HistoryPeriods: 12},
			rop: 7, upTo: 12, mean: 2.1730702131, sigma: 2.5403343986, safetyStock: 4, z: 1.2815515655, withEstimate: true,
		},
		{
			// As the first, but the policy's safety stock floor of 5 is
			// above z*sigma's 4: reorder point 2 + 5 = 7, up to 7 + 2 = 9.
			name: "safety stock floor",
			p: ReorderPolicy{SKU: "X", Method: MethodROP, ROP: ROPDerived, LeadTimeDays: 14, SafetyStock: 5,
				ServiceLevel: 0.95, Forecast: ForecastSBA, Alpha: 0.2, Beta: 0.2, PeriodDays: 7, HistoryPeriods: 12},
			rop: 7, upTo: 9, mean: 1.7316455696, sigma: 1.9264109945, safetyStock: 5, z: 1.6448536270, withEstimate: true,
		},
		{
			// A fixed reorder point is taken as stated; the forecast only
			// sizes the order: up to 10 + ceil(1.7316) = 12.
			name: "fixed rop",
			p: ReorderPolicy{SKU: "X", Method: MethodROP, ROP: ROPFixed, ReorderPoint: 10, LeadTimeDays: 14,
				ServiceLevel: 0.95, Forecast: ForecastSBA, Alpha: 0.2, Beta: 0.2, PeriodDays: 7, HistoryPeriods: 12},
			rop: 10, upTo: 12, mean: 1.7316455696, sigma: 1.9264109945, withEstimate: true,
		},
		{
			name: "minmax", p: ReorderPolicy{SKU: "X", Method: MethodMinMax, Min: 3, Max: 9},
			rop: 3, upTo: 9,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pl := PlanFor(c.p, week12)
			if pl.ReorderPoint != c.rop || pl.OrderUpTo != c.upTo {
				t.Fatalf("reorder point %d, order up to %d; want %d, %d", pl.ReorderPoint, pl.OrderUpTo, c.rop, c.upTo)
			}
			if !c.withEstimate {
				if pl.Demand != nil {
					t.Fatalf("minmax should carry no estimate, got %+v", pl.Demand)
				}
				return
			}
			near(t, "mean", pl.Demand.Mean, c.mean, 1e-9)
			near(t, "sigma", pl.Demand.Sigma, c.sigma, 1e-9)
			near(t, "z", pl.Demand.Z, c.z, 1e-9)
			if pl.Demand.SafetyStock != c.safetyStock {
				t.Errorf("safety stock %d, want %d", pl.Demand.SafetyStock, c.safetyStock)
			}
		})
	}
}

// TestPeriodBuckets: weeks run Monday to Sunday UTC.
func TestPeriodBuckets(t *testing.T) {
	mon := mustTime(t, "2026-11-16T00:00:00Z")
	sun := mustTime(t, "2026-11-22T23:59:59Z")
	next := mustTime(t, "2026-11-23T00:00:00Z")
	if period(mon, 7) != period(sun, 7) || period(next, 7) != period(sun, 7)+1 {
		t.Fatalf("week buckets: mon %d sun %d next mon %d", period(mon, 7), period(sun, 7), period(next, 7))
	}
	if period(mustTime(t, "1970-01-05T00:00:00Z"), 7) != 0 || period(mustTime(t, "1970-01-04T23:00:00Z"), 7) != -1 {
		t.Fatal("the first Monday of 1970 starts period 0")
	}
}
