//go:build race

package inventory

// raceEnabled lets long randomized tests run fewer rounds under the race
// detector, which slows them tenfold and adds nothing to single-writer logic;
// make test runs them in full without it.
const raceEnabled = true
