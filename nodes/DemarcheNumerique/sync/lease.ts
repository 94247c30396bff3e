/**
 * One poll at a time per trigger. n8n fires a poll at every tick without waiting for the last one
 * (its cron jobs do not wait on the promise), and in one process the polls of one activated
 * workflow share one static data object: two overlapping polls would read the same cursor and emit
 * the same dossiers. A poll takes the lease of its trigger; one that finds it held does nothing
 * (the running poll carries the state). The lease expires, so that a poll abandoned mid-flight (a
 * hung socket) cannot stop the trigger for good; a poll ends well before (its time budget).
 */
const leases = new Map<string, { token: symbol; until: number }>();

/** Takes the lease of `key` until `nowMs + ttlMs`; returns its release, or null when it is held. */
export function takeLease(key: string, nowMs: number, ttlMs: number): (() => void) | null {
	const held = leases.get(key);
	if (held && held.until > nowMs) return null;
	const token = Symbol(key);
	leases.set(key, { token, until: nowMs + ttlMs });
	return () => {
		if (leases.get(key)?.token === token) leases.delete(key);
	};
}
