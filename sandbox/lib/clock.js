'use strict';
/**
 * The sandbox clock. Everything time-dependent (dates written by actions, file URL expiry,
 * throttle windows, token expiry) reads `clock.now()`, so tests can freeze or jump time.
 * Modes: real time (default), real time shifted by an offset (after `advance`), or frozen.
 */
class Clock {
	constructor() {
		this.offsetMs = 0;
		this.frozenAt = null;
	}

	/** @returns {number} epoch ms */
	now() {
		return this.frozenAt !== null ? this.frozenAt : Date.now() + this.offsetMs;
	}

	/** Freeze time at `ms`. */
	set(ms) {
		this.frozenAt = ms;
	}

	/** Move time forward by `ms` (keeps it frozen if it was frozen, else shifts real time). */
	advance(ms) {
		if (this.frozenAt !== null) this.frozenAt += ms;
		else this.offsetMs += ms;
	}

	/** Back to real time. */
	real() {
		this.offsetMs = 0;
		this.frozenAt = null;
	}

	state() {
		return {
			now: new Date(this.now()).toISOString(),
			mode: this.frozenAt !== null ? 'frozen' : this.offsetMs ? 'offset' : 'real',
			offsetMs: this.offsetMs,
		};
	}
}

module.exports = { Clock };
