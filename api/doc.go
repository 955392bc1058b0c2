// Package api is rewardd's read-only HTTP API and Prometheus metrics:
//
//	GET /healthz                               liveness and sync health
//	GET /metrics                               Prometheus metrics
//	GET /v1/status                             follower and settlement status
//	GET /v1/epochs                             every epoch's settlement record
//	GET /v1/epochs/{n}                         one epoch's record and result summary
//	GET /v1/epochs/{n}/result                  the published result file, byte for byte
//	GET /v1/epochs/{n}/proofs/{address}        an account's claim arguments
//
// It listens on loopback by default; nothing in it changes state.
package api
