// Package config is rewardd's and rewardctl's configuration, the one place
// where settings get their defaults and their checks.
//
// A JSON file is decoded over Default (unknown fields are errors naming
// the field), then environment variables and flags override it (LoadWith:
// flag over variable over file over default; Settings names them:
// "submit.keystore_file" is REWARDD_SUBMIT_KEYSTORE_FILE and
// --submit.keystore-file). Check runs each component's Check (epoch,
// standing, rewards, follower, signers, settle, submit, api) and the
// checks that span components, and returns every bad field as a
// *FieldError naming it, and the variable or flag that set it. Packages
// downstream get every value explicitly; their own defaults serve their
// library users only.
//
// Amounts a person types are in CMT or gwei as exact decimals; everything
// else in wei, blocks or Go durations.
package config
