/**
 * The webhook trigger's pure logic: the legacy callback's secrets and payload, signed webhooks v2
 * signatures (Standard Webhooks, as in the open upstream pull request #13557), and bounded memories of
 * deliveries already handled.
 */
import { createHash, createHmac, timingSafeEqual } from 'crypto';

/**
 * The secret the node generates for a legacy callback URL when the user sets none: derived from the
 * credential's token and the démarche, so it is stable across activations, unguessable without the
 * token and shown in the editor. A token renewal changes it: the node remembers the digests of the
 * generated secrets it has seen in force (see `acceptedLegacySecret`), so URLs already pasted keep
 * working.
 */
export function legacySecret(token: string, demarche: string): string {
	return createHmac('sha256', token).update(`legacy-callback:${demarche}`).digest('hex').slice(0, 32);
}

/** What the node stores of a secret: its SHA-256, never the secret itself. */
export function secretDigest(secret: string): string {
	return createHash('sha256').update(`legacy-callback-secret:${secret}`).digest('hex');
}

/** How many generated secrets the node remembers (one per token renewal: years of them). */
export const REMEMBERED_SECRETS = 10;

/** `memory` (a list of digests) with `digest` last, bounded (mutation-free). */
export function rememberDigest(memory: unknown, digest: string, max = REMEMBERED_SECRETS): string[] {
	const known = Array.isArray(memory) ? (memory as unknown[]).map(String).filter((d) => d !== digest) : [];
	const next = [...known, digest];
	return next.slice(Math.max(0, next.length - max));
}

export type LegacySecretMatch = 'custom' | 'generated' | 'remembered' | null;

/**
 * Which accepted secret `given` is: the user's own secret when set, the secret generated from the
 * current token when the user set none, or one generated from an earlier token and remembered.
 */
export function acceptedLegacySecret(
	given: unknown,
	accepted: { custom?: string; generated?: string; remembered?: unknown },
): LegacySecretMatch {
	if (typeof given !== 'string' || !given) return null;
	if (accepted.custom) {
		if (sameSecret(given, accepted.custom)) return 'custom';
	} else if (accepted.generated && sameSecret(given, accepted.generated)) return 'generated';
	const digest = secretDigest(given);
	const remembered = Array.isArray(accepted.remembered) ? (accepted.remembered as unknown[]) : [];
	return remembered.some((known) => typeof known === 'string' && sameSecret(digest, known)) ? 'remembered' : null;
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

/** Standard Webhooks' default tolerance between `webhook-timestamp` and the receiver's clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export interface SignatureHeaders {
	id: unknown;
	timestamp: unknown;
	signature: unknown;
}

/**
 * Checks a v2 delivery as PR #13557 signs it (Standard Webhooks): `webhook-signature` holds one or more
 * space-separated `v1,<base64 HMAC-SHA256>` (two while a renewed secret overlaps the old one), each over
 * `<webhook-id>.<webhook-timestamp>.<raw body>` keyed with the base64-decoded part of the `whsec_`
 * secret; the timestamp must be within the tolerance of `nowSeconds`. Returns null when valid, else why.
 */
export function signatureProblem(
	rawBody: Buffer | string,
	headers: SignatureHeaders,
	secret: string,
	nowSeconds: number,
	tolerance = SIGNATURE_TOLERANCE_SECONDS,
): string | null {
	if (!secret) return 'the node holds no secret for this webhook (deactivate and activate the workflow again)';
	const { id, timestamp, signature } = headers;
	if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string' || !id || !signature) {
		return 'missing webhook-id, webhook-timestamp or webhook-signature header';
	}
	if (!/^\d{1,12}$/.test(timestamp.trim())) return 'unreadable webhook-timestamp';
	if (Math.abs(nowSeconds - Number(timestamp.trim())) > tolerance) return 'webhook-timestamp too far from now';
	const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
	const expected = createHmac('sha256', key)
		.update(Buffer.concat([Buffer.from(`${id}.${timestamp.trim()}.`), Buffer.from(rawBody)]))
		.digest();
	for (const part of signature.trim().split(/\s+/)) {
		const [version, value] = part.split(',', 2);
		if (version !== 'v1' || !value) continue;
		const given = Buffer.from(value, 'base64');
		if (given.length === expected.length && timingSafeEqual(given, expected)) return null;
	}
	return 'no signature matches';
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
 * Events not handled yet. A sequence is the platform's global event id: it strictly increases but has
 * gaps (other démarches' events, unsubscribed types), so a gap says nothing about a loss; delivery is at
 * least once, in order, so a sequence already handled is a repeat. A bounded window of recent sequences
 * plus a floor below which everything counts as handled keep the memory small (mutation-free).
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
