'use strict';
/** Request logs (API per token, storage) and the fault queue. */

const LOG_LIMIT = 5000;

class RequestLog {
	constructor() {
		this.entries = [];
		this.sequence = 0;
	}

	/** Starts an API log entry; `finish(status)` closes it with its duration. */
	start(req, authorization, operationName, startedAt) {
		const entry = {
			sequence: ++this.sequence,
			at: new Date().toISOString(),
			method: req.method,
			path: req.url,
			token: null,
			authorization,
			operationName,
			headers: { ...req.headers },
			status: null,
			durationMs: null,
			fault: null,
		};
		this.entries.push(entry);
		if (this.entries.length > LOG_LIMIT) this.entries.shift();
		entry.finish = (status) => {
			entry.status = status;
			entry.durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
		};
		return entry;
	}

	/** @param {string} [token] a token name (admin, readOnly, ...) or value; none = all */
	list(token, tokenTable) {
		const named = token && tokenTable[token] ? tokenTable[token].name : token;
		return this.entries
			.filter((e) => !named || e.token === named)
			.map(({ finish, ...rest }) => rest);
	}

	clear() {
		this.entries = [];
	}
}

class StorageLog {
	constructor() {
		this.entries = [];
	}

	add(req, status) {
		this.entries.push({
			at: new Date().toISOString(),
			method: req.method,
			path: req.url,
			headers: { ...req.headers },
			status,
		});
		if (this.entries.length > LOG_LIMIT) this.entries.shift();
	}

	clear() {
		this.entries = [];
	}
}

const FAULT_KINDS = ['500', '502', '503', 'timeout', 'reset', 'malformed', 'delay', 'invalid_null'];
/** Faults that can also hit after the request ran (`afterExecute`). */
const AFTER_EXECUTE_KINDS = ['500', '502', '503', 'reset', 'delay'];

class Faults {
	constructor() {
		this.queue = [];
	}

	/**
	 * @param {{kind: string, count?: number, operationName?: string, delayMs?: number, dossier?: number, afterExecute?: boolean}} fault
	 * `afterExecute`: the request runs (a mutation is applied), then the fault replaces its answer
	 * (500, 502, 503, reset) or delays it (delay): a lost answer, a proxy timing out.
	 */
	add(fault) {
		const kind = String(fault.kind);
		if (!FAULT_KINDS.includes(kind))
			throw Object.assign(
				new Error(`Unknown fault kind ${kind}; one of ${FAULT_KINDS.join(', ')}`),
				{ status: 400 },
			);
		if (kind === 'invalid_null' && !fault.dossier)
			throw Object.assign(new Error('invalid_null needs a dossier number'), { status: 400 });
		if (fault.afterExecute && !AFTER_EXECUTE_KINDS.includes(kind))
			throw Object.assign(
				new Error(`afterExecute applies to ${AFTER_EXECUTE_KINDS.join(', ')}, not ${kind}`),
				{ status: 400 },
			);
		const entry = {
			kind,
			afterExecute: Boolean(fault.afterExecute),
			remaining: fault.count === undefined ? 1 : Number(fault.count),
			operationName: fault.operationName || null,
			delayMs: fault.delayMs,
			dossier: fault.dossier,
		};
		this.queue.push(entry);
		return entry;
	}

	/** The next fault for a request (consumes one use), or null. */
	take(operationName) {
		const index = this.queue.findIndex(
			(f) => f.remaining > 0 && (!f.operationName || f.operationName === operationName),
		);
		if (index < 0) return null;
		const fault = this.queue[index];
		fault.remaining -= 1;
		if (fault.remaining <= 0) this.queue.splice(index, 1);
		return fault;
	}

	clear() {
		this.queue = [];
	}
}

module.exports = { RequestLog, StorageLog, Faults, FAULT_KINDS };
