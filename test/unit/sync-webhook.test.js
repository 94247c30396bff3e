'use strict';
const { createHmac } = require('crypto');

const webhook = require('../../nodes/DemarcheNumerique/sync/webhook');

describe('legacy callback', () => {
	it('reads Ruby times as the platform prints them', () => {
		expect(webhook.rubyTimeToIso('2018-10-25 10:32:42 UTC')).toBe('2018-10-25T10:32:42.000Z');
		expect(webhook.rubyTimeToIso('2018-10-25 12:32:42 +0200')).toBe('2018-10-25T10:32:42.000Z');
		expect(webhook.rubyTimeToIso('2018-10-25T12:32:42+02:00')).toBe('2018-10-25T10:32:42.000Z');
		expect(webhook.rubyTimeToIso('yesterday')).toBeNull();
	});

	it('parses the form fields, and refuses what is not a callback', () => {
		expect(
			webhook.parseLegacyCall({ procedure_id: '12', dossier_id: '345', state: 'accepte', updated_at: '2018-10-25 10:32:42 UTC' }),
		).toEqual({ demarcheNumber: 12, dossierNumber: 345, state: 'accepte', updatedAt: '2018-10-25T10:32:42.000Z' });
		expect(webhook.parseLegacyCall({ dossier_id: 'x' })).toBeNull();
		expect(webhook.parseLegacyCall(null)).toBeNull();
	});

	it('derives a secret from the token and the démarche', () => {
		const secret = webhook.legacySecret('token-a', '12');
		expect(secret).toMatch(/^[0-9a-f]{32}$/);
		expect(webhook.legacySecret('token-b', '12')).not.toBe(secret);
		expect(webhook.legacySecret('token-a', '13')).not.toBe(secret);
		expect(webhook.sameSecret(secret, secret)).toBe(true);
		expect(webhook.sameSecret(secret.slice(1), secret)).toBe(false);
		expect(webhook.sameSecret(undefined, secret)).toBe(false);
	});

	it('remembers a bounded number of deliveries', () => {
		let memory = [];
		for (let i = 0; i < 5; i++) memory = webhook.rememberKey(memory, `k${i}`, 3).memory;
		expect(memory).toEqual(['k2', 'k3', 'k4']);
		expect(webhook.rememberKey(memory, 'k3', 3).fresh).toBe(false);
		expect(webhook.rememberKey(memory, 'k0', 3).fresh).toBe(true);
	});
});

describe('legacy callback secrets', () => {
	const generatedOld = webhook.legacySecret('old-token', '12');
	const generatedNew = webhook.legacySecret('new-token', '12');

	it('accepts the generated secret of the current token, and one remembered from an earlier token', () => {
		expect(webhook.acceptedLegacySecret(generatedNew, { generated: generatedNew })).toBe('generated');
		expect(webhook.acceptedLegacySecret(generatedOld, { generated: generatedNew })).toBeNull();
		const remembered = webhook.rememberDigest([], webhook.secretDigest(generatedOld));
		expect(webhook.acceptedLegacySecret(generatedOld, { generated: generatedNew, remembered })).toBe('remembered');
		expect(webhook.acceptedLegacySecret('guess', { generated: generatedNew, remembered })).toBeNull();
		expect(webhook.acceptedLegacySecret(undefined, { generated: generatedNew, remembered })).toBeNull();
		expect(webhook.acceptedLegacySecret(['a'], { generated: generatedNew, remembered })).toBeNull();
	});

	it('with a secret of the user, accepts it and what was remembered, not the generated one', () => {
		const remembered = webhook.rememberDigest([], webhook.secretDigest(generatedOld));
		const accepted = { custom: 'Mine0123456789', generated: undefined, remembered };
		expect(webhook.acceptedLegacySecret('Mine0123456789', accepted)).toBe('custom');
		expect(webhook.acceptedLegacySecret(generatedOld, accepted)).toBe('remembered');
		expect(webhook.acceptedLegacySecret(generatedNew, accepted)).toBeNull();
		expect(webhook.acceptedLegacySecret('Mine012345678', accepted)).toBeNull();
	});

	it('stores digests, never the secret, a bounded number of them, most recent last', () => {
		const digest = webhook.secretDigest(generatedOld);
		expect(digest).toMatch(/^[0-9a-f]{64}$/);
		expect(digest).not.toContain(generatedOld);
		let memory;
		for (let i = 0; i < 4; i++) memory = webhook.rememberDigest(memory, `d${i}`, 3);
		expect(memory).toEqual(['d1', 'd2', 'd3']);
		// seen again: moved last, not duplicated
		expect(webhook.rememberDigest(memory, 'd1', 3)).toEqual(['d2', 'd3', 'd1']);
	});
});

describe('signed webhooks (v2)', () => {
	// Standard Webhooks as PR #13557 signs (delivery_job.rb#signature), written out independently here.
	const key = Buffer.alloc(32, 7);
	const secret = `whsec_${key.toString('base64')}`;
	const body = Buffer.from('{"webhook_id":"W","demarche_number":7,"events":[]}');
	const now = 1_780_000_000;
	const sign = (k, id, ts, raw) =>
		`v1,${createHmac('sha256', k).update(`${id}.${ts}.${raw}`).digest('base64')}`;
	const headers = (signature, timestamp = String(now), id = 'msg_1_5_9') => ({ id, timestamp, signature });

	it('accepts a v1 HMAC-SHA256 of id.timestamp.body keyed with the decoded whsec_ secret', () => {
		expect(webhook.signatureProblem(body, headers(sign(key, 'msg_1_5_9', now, body)), secret, now)).toBeNull();
		// several signatures (a renewed secret overlapping the old one): one match suffices
		const other = sign(Buffer.alloc(32, 1), 'msg_1_5_9', now, body);
		expect(webhook.signatureProblem(body, headers(`${other} ${sign(key, 'msg_1_5_9', now, body)}`), secret, now)).toBeNull();
	});

	it('refuses another key, another body, id or timestamp, the whole secret as key, and a missing header', () => {
		const bad = [
			headers(sign(Buffer.alloc(32, 1), 'msg_1_5_9', now, body)),
			headers(sign(key, 'msg_1_5_9', now, '{"events": []}')),
			headers(sign(key, 'msg_1_5_8', now, body)),
			headers(sign(key, 'msg_1_5_9', now + 1, body)),
			headers(sign(Buffer.from(secret), 'msg_1_5_9', now, body)),
			headers(sign(key, 'msg_1_5_9', now, body).replace('v1,', 'v2,')),
			headers(undefined),
			headers(sign(key, 'msg_1_5_9', now, body), null),
		];
		for (const h of bad) expect(webhook.signatureProblem(body, h, secret, now)).toEqual(expect.any(String));
		expect(webhook.signatureProblem(body, headers(sign(key, 'msg_1_5_9', now, body)), '', now)).toMatch(/no secret/);
	});

	it('refuses a timestamp more than five minutes away (replay)', () => {
		const old = now - 301;
		expect(webhook.signatureProblem(body, headers(sign(key, 'msg_1_5_9', old, body), String(old)), secret, now)).toMatch(
			/too far/,
		);
		const recent = now - 299;
		expect(webhook.signatureProblem(body, headers(sign(key, 'msg_1_5_9', recent, body), String(recent)), secret, now)).toBeNull();
	});

	it('takes sequences with gaps as they come: a gap is not a loss', () => {
		const events = (...seq) => seq.map((sequence) => ({ sequence, type: 't', dossierNumber: 1, timestamp: null }));
		const first = webhook.freshEvents(events(101, 157), undefined);
		expect(first.fresh.map((e) => e.sequence)).toEqual([101, 157]);
		const next = webhook.freshEvents(events(157, 9000), first.memory);
		expect(next.fresh.map((e) => e.sequence)).toEqual([9000]);
	});

	it('drops sequences already handled, with a bounded memory', () => {
		const events = (...seq) => seq.map((sequence) => ({ sequence, type: 't', dossierNumber: 1, timestamp: null }));
		let memory;
		let result = webhook.freshEvents(events(1, 2, 3), memory, 3);
		expect(result.fresh.map((e) => e.sequence)).toEqual([1, 2, 3]);
		result = webhook.freshEvents(events(3, 4, 5), result.memory, 3);
		expect(result.fresh.map((e) => e.sequence)).toEqual([4, 5]);
		expect(result.memory.recent).toEqual([3, 4, 5]);
		expect(result.memory.floor).toBe(2);
		// forgotten but below the floor: still a repeat
		expect(webhook.freshEvents(events(1), result.memory, 3).fresh).toEqual([]);
	});

	it('parses a batch, refusing malformed sequences', () => {
		expect(
			webhook.parseSignedBatch({
				webhook_id: 'W',
				demarche_number: 7,
				events: [{ sequence: 4, type: 'dossier_depose', dossier_number: 9, timestamp: 't' }],
			}),
		).toEqual({ webhookId: 'W', demarcheNumber: 7, events: [{ sequence: 4, type: 'dossier_depose', dossierNumber: 9, timestamp: 't' }] });
		expect(webhook.parseSignedBatch({ events: [{ sequence: 'x' }] })).toBeNull();
		expect(webhook.parseSignedBatch({})).toBeNull();
	});
});

describe('the secret shown in the editor', () => {
	const { DemarcheNumeriqueWebhookTrigger } = require('../../nodes/DemarcheNumerique/DemarcheNumeriqueWebhookTrigger.node');
	const context = (demarche) => ({
		getCredentials: async () => ({ baseUrl: 'https://demarche.numerique.gouv.fr', token: 'the-token' }),
		getCurrentNodeParameter: () => demarche,
		getNode: () => ({ name: 'Webhook' }),
	});

	it('is the one the webhook checks: HMAC-SHA256 of the démarche under the token', async () => {
		const node = new DemarcheNumeriqueWebhookTrigger();
		const [option] = await node.methods.loadOptions.getCallbackSecret.call(context('1002'));
		const expected = createHmac('sha256', 'the-token').update('legacy-callback:1002').digest('hex').slice(0, 32);
		expect(option.value).toBe(expected);
		expect(webhook.legacySecret('the-token', '1002')).toBe(expected);
	});

	it('asks for the démarche first', async () => {
		const node = new DemarcheNumeriqueWebhookTrigger();
		const [option] = await node.methods.loadOptions.getCallbackSecret.call(context(''));
		expect(option.value).toBe('');
	});
});
