'use strict';
// One prefix and elapsed-time stamp for every line the e2e tooling prints, so a CI log reads as a timeline.

const started = Date.now();

function stamp() {
	return `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
}

function makeLogger(prefix) {
	const log = (...args) => console.log(`[${prefix} ${stamp()}]`, ...args);
	log.error = (...args) => console.error(`[${prefix} ${stamp()}]`, ...args);
	return log;
}

module.exports = { makeLogger };
