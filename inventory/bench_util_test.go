package inventory

import "runtime"

func ncpu() int { return runtime.GOMAXPROCS(0) }
