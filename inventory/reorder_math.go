package inventory

import "math"

// Demand forecasting for intermittent spare-parts demand. Most periods of a
// spare part see no demand at all, so single exponential smoothing of the
// raw series is biased low right after a demand and high long after; the
// methods below smooth the size of a demand and how often it happens
// separately. Forecasts are floats (a rate per period); every stock
// quantity derived from them is rounded up to a whole unit.

// Forecast methods a policy may choose.
const (
	ForecastSBA = "sba" // Croston with the Syntetos–Boylan bias correction
	ForecastTSB = "tsb" // Teunter–Syntetos–Babai: follows obsolescence down
)

// Forecast is what a method made of a demand series.
type Forecast struct {
	// Rate is the forecast demand per period (after bias correction for SBA).
	Rate float64 `json:"rate"`
	// Size is the smoothed size of a non-zero demand.
	Size float64 `json:"size"`
	// Interval (SBA) is the smoothed number of periods between demands;
	// Probability (TSB) is the smoothed chance a period sees a demand.
	Interval    float64 `json:"interval,omitempty"`
	Probability float64 `json:"probability,omitempty"`
	// MSE is the mean squared one-step-ahead forecast error over the
	// periods after the first demand; it estimates the variance of one
	// period's demand around the forecast. With no such period it falls
	// back to the series' own variance.
	MSE float64 `json:"mse"`
}

// sba runs Croston's method with the Syntetos–Boylan Approximation over d,
// oldest period first. alpha smooths demand sizes, beta the intervals, and
// the rate is (1 - beta/2) * size / interval. It starts at the first
// non-zero period: size is that demand, interval is the number of periods
// up to and including it.
func sba(d []int64, alpha, beta float64) Forecast {
	first := firstDemand(d)
	if first < 0 {
		return Forecast{}
	}
	size, interval := float64(d[first]), float64(first+1)
	rate := func() float64 { return (1 - beta/2) * size / interval }
	f := rate()
	var sq float64
	n := 0
	q := 0 // periods since the last demand
	for _, x := range d[first+1:] {
		e := float64(x) - f
		sq += e * e
		n++
		q++
		if x > 0 {
			size += alpha * (float64(x) - size)
			interval += beta * (float64(q) - interval)
			q = 0
			f = rate()
		}
	}
	return Forecast{Rate: f, Size: size, Interval: interval, MSE: mse(sq, n, d)}
}

// tsb runs the Teunter–Syntetos–Babai method over d, oldest period first.
// Unlike Croston it updates the demand probability every period, so a part
// that stops selling sees its forecast decay towards zero. alpha smooths
// sizes (only in periods with demand), beta the probability. It starts at
// the first non-zero period with size that demand and probability one over
// the periods up to and including it.
func tsb(d []int64, alpha, beta float64) Forecast {
	first := firstDemand(d)
	if first < 0 {
		return Forecast{}
	}
	size, prob := float64(d[first]), 1/float64(first+1)
	f := prob * size
	var sq float64
	n := 0
	for _, x := range d[first+1:] {
		e := float64(x) - f
		sq += e * e
		n++
		if x > 0 {
			prob += beta * (1 - prob)
			size += alpha * (float64(x) - size)
		} else {
			prob += beta * (0 - prob)
		}
		f = prob * size
	}
	return Forecast{Rate: f, Size: size, Probability: prob, MSE: mse(sq, n, d)}
}

func firstDemand(d []int64) int {
	for i, x := range d {
		if x > 0 {
			return i
		}
	}
	return -1
}

// mse is sq/n, or when no period followed the first demand the population
// variance of the series, so a part with one demand still gets a spread.
func mse(sq float64, n int, d []int64) float64 {
	if n > 0 {
		return sq / float64(n)
	}
	var sum, sum2 float64
	for _, x := range d {
		sum += float64(x)
	}
	mean := sum / float64(len(d))
	for _, x := range d {
		sum2 += (float64(x) - mean) * (float64(x) - mean)
	}
	return sum2 / float64(len(d))
}

// NormInv is the inverse of the standard normal distribution function (the
// z for a cycle service level), by Acklam's rational approximation refined
// with one Halley step, which leaves it accurate to about 1e-15. p must lie
// strictly between 0 and 1.
func NormInv(p float64) float64 {
	if p <= 0 || p >= 1 || math.IsNaN(p) {
		return math.NaN()
	}
	a := [...]float64{-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
		1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00}
	b := [...]float64{-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
		6.680131188771972e+01, -1.328068155288572e+01}
	c := [...]float64{-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
		-2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00}
	dd := [...]float64{7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
		3.754408661907416e+00}
	const low = 0.02425
	var x float64
	switch {
	case p < low:
		q := math.Sqrt(-2 * math.Log(p))
		x = (((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q + c[5]) /
			((((dd[0]*q+dd[1])*q+dd[2])*q+dd[3])*q + 1)
	case p <= 1-low:
		q := p - 0.5
		r := q * q
		x = (((((a[0]*r+a[1])*r+a[2])*r+a[3])*r+a[4])*r + a[5]) * q /
			(((((b[0]*r+b[1])*r+b[2])*r+b[3])*r+b[4])*r + 1)
	default:
		q := math.Sqrt(-2 * math.Log(1-p))
		x = -(((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q + c[5]) /
			((((dd[0]*q+dd[1])*q+dd[2])*q+dd[3])*q + 1)
	}
	e := 0.5*math.Erfc(-x/math.Sqrt2) - p
	u := e * math.Sqrt(2*math.Pi) * math.Exp(x*x/2)
	return x - u/(1+x*u/2)
}

// ceilQty rounds a derived quantity up to whole units. The tolerance keeps
// float noise (2.0000000000000004) from adding a unit nobody asked for.
func ceilQty(x float64) int64 {
	if x <= 0 || math.IsNaN(x) {
		return 0
	}
	return int64(math.Ceil(x - 1e-9))
}

// DemandEstimate is the working behind a reorder point, recorded on each
// signal so a planner can see why it fired.
type DemandEstimate struct {
	Method string `json:"method"` // sba | tsb
	// PeriodDays is the bucket length; Demand is the issue history per
	// period, oldest first, ending with the last complete period.
	PeriodDays int      `json:"periodDays"`
	Demand     []int64  `json:"demand"`
	Estimate   Forecast `json:"estimate"`
	// ProtectionPeriods is lead time plus review period, in periods.
	ProtectionPeriods float64 `json:"protectionPeriods"`
	// Mean and Sigma describe demand over the protection interval:
	// Rate * P and sqrt(P * MSE), periods taken as independent.
	Mean  float64 `json:"mean"`
	Sigma float64 `json:"sigma"`
	// Z is the normal quantile of the target cycle service level.
	Z           float64 `json:"z,omitempty"`
	SafetyStock int64   `json:"safetyStock"`
}
