/**
 * The webhook trigger's pure logic: the legacy callback's secret and payload, signed webhooks v2
 * signatures, and bounded memories of deliveries already handled.
 */
import { createHmac, timingSafeEqual } from 'crypto';

/**
 * The secret of a legacy callback URL: derived from the credential's token and the démarche, so it
 * is stable across activations, unguessable without the token, shown in the editor (the node's
 * settings can compute it) and stored nowhere.
 */
export function legacySecret(token: string, demarche: string): string {
	return createHmac('sha256', token).update(`legacy-callback:${demarche}`).digest('hex').slice(0, 32);
}

/** Constant-time comparison of two strings. */
export function sameSecret(given: unknown, expected: string): boolean {
	if (typeof given !== 'string' || !expected) return false;
	const a = Buffer.from(given);
	const b = Buffer.from(expected);
	return a.length === b.length && timingSafeEqual(a, b);
}

/** `2018-10-25 10:32:42 UTC` (Ruby's Time#to_s) or ISO → ISO 8601; null when unreadable. */
export function rubyTimeToIso(value: unknown): string | null {
	if (typeof value !== 'string' || !value.trim()) return null;
	const text = value.trim();
	const ruby = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d(?:\.\d+)?)\s*(UTC|Z|[+-]\d\d:?\d\d)?$/.exec(text);
	let candidate = text;
	if (ruby) {
		const zone = !ruby[3] || ruby[3] === 'UTC' || ruby[3] === 'Z' ? 'Z' : ruby[3].replace(/^([+-]\d\d)(\d\d)$/, '$1:$2');
		candidate = `${ruby[1]}T${ruby[2]}${zone}`;
	}
	const time = Date.parse(candidate);
	return Number.isFinite(time) ? new Date(time).toISOString() : null;
}

export interface LegacyCall {
	demarcheNumber: number;
	dossierNumber: number;
	state: string;
	updatedAt: string | null;
}

/** The legacy form fields (`procedure_id`, `dossier_id`, `state`, `updated_at`); null when not one. */
export function parseLegacyCall(body: unknown): LegacyCall | null {
	if (!body || typeof body !== 'object') return null;
	const fields = body as Record<string, unknown>;
	const demarcheNumber = Number(fields.procedure_id);
	const dossierNumber = Number(fields.dossier_id);
	if (!Number.isSafeInteger(demarcheNumber) || !Number.isSafeInteger(dossierNumber) || dossierNumber <= 0) {
		return null;
	}
	return {
		demarcheNumber,
		dossierNumber,
		state: String(fields.state ?? ''),
		updatedAt: rubyTimeToIso(fields.updated_at),
	};
}

/** What identifies one legacy delivery: the platform posts the same fields again on a repeat. */
export function legacyDeliveryKey(call: LegacyCall): string {
	return `${call.dossierNumber}|${call.state}|${call.updatedAt ?? ''}`;
}

/**
 * A bounded memory of handled keys (most recent last). Returns whether `key` is new and the
 * memory to store (mutation-free).
 */
export function rememberKey(memory: unknown, key: string, max = 1000): { fresh: boolean; memory: string[] } {
	const known = Array.isArray(memory) ? (memory as unknown[]).map(String) : [];
	if (known.includes(key)) return { fresh: false, memory: known };
	const next = [...known, key];
	return { fresh: true, memory: next.slice(Math.max(0, next.length - max)) };
}

/** `X-Webhook-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`, checked in constant time. */
export function verifySignature(rawBody: Buffer | string, header: unknown, secret: string): boolean {
	if (!secret || typeof header !== 'string') return false;
	const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
	if (!match) return false;
	const expected = createHmac('sha256', secret).update(rawBody).digest();
	const given = Buffer.from(match[1], 'hex');
	return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface SignedEvent {
	sequence: number;
	type: string;
	dossierNumber: number | null;
	timestamp: string | null;
}

export interface SignedBatch {
	webhookId: string | null;
	demarcheNumber: number | null;
	events: SignedEvent[];
}

/** A v2 delivery body `{webhook_id, demarche_number, events: [{sequence, type, dossier_number, timestamp}]}`. */
export function parseSignedBatch(body: unknown): SignedBatch | null {
	if (!body || typeof body !== 'object') return null;
	const batch = body as Record<string, unknown>;
	if (!Array.isArray(batch.events)) return null;
	const events: SignedEvent[] = [];
	for (const raw of batch.events as Array<Record<string, unknown>>) {
		const sequence = Number(raw?.sequence);
		if (!Number.isSafeInteger(sequence)) return null;
		const dossier = Number(raw.dossier_number);
		events.push({
			sequence,
			type: String(raw.type ?? ''),
			dossierNumber: Number.isSafeInteger(dossier) ? dossier : null,
			timestamp: typeof raw.timestamp === 'string' ? raw.timestamp : null,
		});
	}
	const demarche = Number(batch.demarche_number);
	return {
		webhookId: batch.webhook_id === undefined || batch.webhook_id === null ? null : String(batch.webhook_id),
		demarcheNumber: Number.isSafeInteger(demarche) ? demarche : null,
		events,
	};
}

/**
 * Events not handled yet. Sequences strictly increase and delivery is at least once, so a sequence
 * already handled is a repeat; a bounded window of recent sequences plus a floor below which
 * everything counts as handled keep the memory small (mutation-free).
 */
export function freshEvents(
	events: SignedEvent[],
	memory: { floor?: number; recent?: number[] } | undefined,
	max = 2000,
): { fresh: SignedEvent[]; memory: { floor: number; recent: number[] } } {
	const floor = memory?.floor ?? 0;
	const recent = new Set(memory?.recent ?? []);
	const fresh: SignedEvent[] = [];
	for (const event of [...events].sort((a, b) => a.sequence - b.sequence)) {
		if (event.sequence <= floor || recent.has(event.sequence)) continue;
		recent.add(event.sequence);
		fresh.push(event);
	}
	const sorted = [...recent].sort((a, b) => a - b);
	const kept = sorted.slice(Math.max(0, sorted.length - max));
	const newFloor = sorted.length > kept.length ? Math.max(floor, sorted[sorted.length - kept.length - 1]) : floor;
	return { fresh, memory: { floor: newFloor, recent: kept } };
}
