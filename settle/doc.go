// Package settle drives each epoch through settlement, exactly once:
//
//	final → computed → published → submitted → confirmed
//
// (or disputed, when the contract accepted a different root). A pass
// decides from the ledger and the contract's state what to do next, so a
// missed, doubled or concurrent trigger is harmless, and a crash at any
// point resumes where the ledger says. Every state change is one ledger
// transaction; files are published atomically; the vote itself goes
// through the submitter, which keeps its own write-ahead record.
package settle
