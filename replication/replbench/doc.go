// Package replbench measures replication end to end through a real
// Mosquitto: real depot stores (inventory on Badger), the real depot
// publisher, Mosquitto 2.x started by replication/brokertest with the
// shipped ACL, the shipped queue limits and one user per depot, and HQ's
// real ingest (replication/hq on Badger). It holds benchmarks and quick
// tests of their helpers; run the benchmarks with
//
//	go test ./replication/replbench -run '^$' -bench 'Backlog1M|HQ500' -benchtime 1x -count 3
//	go test ./replication/replbench -run '^$' -bench Steady -benchtime 50000x -count 3
//
// BenchmarkMosquittoSteady: events/s from concurrent writers at one depot
// to HQ while the publisher ships live, and the lag from an append to HQ
// applying the event (p50, p99).
//
// BenchmarkMosquittoBacklog1M: seconds for a 1,000,000-event backlog to
// drain from a depot to an empty HQ (budget in DESIGN.md: <= 60 s).
//
// BenchmarkMosquittoHQ500Depots: HQ's ingest while 500 depots, each with
// its own MQTT identity, publish their logs at once: events/s applied and
// the time until every depot holds HQ's ack of its whole log.
//
// Every benchmark fails unless, at its end, HQ's high-water mark of each
// depot is the depot's head (seq, epoch and hash), no batch was rejected
// and HQ applied each event exactly once; dup-batches and gap-batches count
// what HQ received and did not apply (the cost of resends). The large logs
// are built once (about a minute each) and kept in the system temp folder
// (partsedge-replbench-*); setup never runs on the clock.
package replbench
