// Package config is rewardd's and rewardctl's configuration: a JSON file
// decoded over defaults, and a Check that names every bad field. Amounts a
// person types are in CMT as exact decimals; everything else in wei, blocks
// or Go durations.
package config
