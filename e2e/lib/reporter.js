'use strict';
// A minimal test reporter: named checks, one line each, and the closing `N passed, M failed` line CI reads.

const { makeLogger } = require('./log');

/** Thrown inside a check to count it as skipped (with the reason) instead of passed or failed. */
class SkipCheck extends Error {}

class Reporter {
	constructor(prefix = 'e2e') {
		this.log = makeLogger(prefix);
		this.passed = [];
		this.failed = [];
		this.skipped = [];
	}

	/** Runs fn as one check; never throws. Resolves fn's value, or undefined when it failed. */
	async check(name, fn) {
		const t0 = Date.now();
		try {
			const value = await fn();
			this.passed.push(name);
			this.log(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
			return value;
		} catch (e) {
			if (e instanceof SkipCheck) {
				this.skip(name, e.message);
				return undefined;
			}
			this.failed.push({ name, message: e.message });
			this.log.error(
				`FAIL ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)\n${indent(e.message)}`,
			);
			if (process.env.E2E_DEBUG && e.stack) this.log.error(e.stack);
			return undefined;
		}
	}

	skip(name, why) {
		this.skipped.push({ name, why });
		this.log(`SKIP ${name}: ${why}`);
	}

	/** Prints the summary; the very last line is exactly `N passed, M failed`. Returns the exit code. */
	finish() {
		if (this.skipped.length) {
			this.log(`${this.skipped.length} skipped:`);
			for (const s of this.skipped) this.log(`  - ${s.name}: ${s.why}`);
		}
		if (this.failed.length) {
			this.log.error(`${this.failed.length} failed:`);
			for (const f of this.failed) this.log.error(`  - ${f.name}: ${f.message.split('\n')[0]}`);
		}
		console.log(`${this.passed.length} passed, ${this.failed.length} failed`);
		return this.failed.length ? 1 : 0;
	}
}

function indent(text) {
	return String(text)
		.split('\n')
		.map((l) => `    ${l}`)
		.join('\n');
}

module.exports = { Reporter, SkipCheck };
