'use strict';
/**
 * Signed webhooks (v2) in n8n's engine: signature of the raw body, one item per event, repeated
 * sequences dropped, and the register/check/delete lifecycle against the sandbox when it offers
 * webhookCreer (sandbox part 2).
 */
const { createHmac } = require('crypto');

const { startSandbox } = require('../../sandbox');
const { NODE_TYPES, runWebhook, runWebhookMethod, jsonOf } = require('../helpers/engine');
const { byId, credentialsFor, gql } = require('./trigger-support');

let sb;
beforeAll(async () => {
	sb = await startSandbox({ size: 100, webhooksV2: true });
});
afterAll(async () => {
	await sb?.stop();
});

const SECRET = 'whsec-test-0123456789';
const node = (parameters = {}) => ({
	type: NODE_TYPES.webhookTrigger,
	// a saved workflow keeps its webhook ID across activations
	webhookId: '6f1c2a54-0e7b-4d1e-9a51-5d1f0c3b2a10',
	parameters: { demarche: byId(1003), mode: 'signed', ...parameters },
});

const sign = (raw, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;

function batch(...sequences) {
	return JSON.stringify({
		webhook_id: 'V2ViaG9vay0x',
		demarche_number: 1003,
		events: sequences.map((sequence) => ({
			sequence,
			type: 'dossier_depose',
			dossier_number: 10000 + sequence,
			timestamp: '2026-03-02T10:00:00+01:00',
		})),
	});
}

const NODE_KEY = 'node:Démarche Numérique Webhook Trigger';
async function deliver(raw, signature, staticData = { [NODE_KEY]: { secret: SECRET } }) {
	return await runWebhook({
		node: node(),
		credentials: credentialsFor(sb),
		staticData,
		request: {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-webhook-signature-256': signature },
			rawBody: raw,
		},
	});
}

it('verifies the signature of the raw body and emits one item per event', async () => {
	// spacing the JSON differently from JSON.stringify: the node must sign the bytes it received
	const raw = batch(1, 2).replace(/,/g, ', ');
	const result = await deliver(raw, sign(raw));
	expect(result.responseStatus).toBe(200);
	expect(jsonOf(result.workflowData[0]).map((e) => [e.sequence, e.type, e.dossierNumber])).toEqual([
		[1, 'dossier_depose', 10001],
		[2, 'dossier_depose', 10002],
	]);
});

it('rejects a forged or missing signature', async () => {
	const raw = batch(3);
	for (const signature of [sign(raw, 'not-the-secret'), sign(`${raw} `), undefined, 'sha256=zz']) {
		const result = await deliver(raw, signature);
		expect(result.responseStatus).toBe(401);
		expect(result.workflowData).toBeUndefined();
	}
});

it('drops repeated sequence numbers (at-least-once delivery)', async () => {
	const first = await deliver(batch(10, 11), sign(batch(10, 11)));
	const repeat = await deliver(batch(10, 11), sign(batch(10, 11)), first.staticData);
	expect(repeat.workflowData).toBeUndefined();
	const overlap = await deliver(batch(11, 12), sign(batch(11, 12)), repeat.staticData);
	expect(jsonOf(overlap.workflowData[0]).map((e) => e.sequence)).toEqual([12]);
});

describe('registration round trip against the sandbox', () => {
	let supported = false;
	beforeAll(async () => {
		const data = await gql(sb, '{ __schema { mutationType { fields { name } } } }');
		supported = data.__schema.mutationType.fields.some((f) => f.name === 'webhookCreer');
		if (!supported) {
			console.warn('SKIPPED: the sandbox has no webhookCreer yet (sandbox part 2); registration not tested');
		}
	});

	it('creates, finds, then deletes the webhook', async () => {
		if (!supported) return;
		const options = { node: node(), credentials: credentialsFor(sb), webhookBaseUrl: 'https://n8n.example.org/webhook' };
		const before = await runWebhookMethod('checkExists', options);
		expect(before.result).toBe(false);
		const created = await runWebhookMethod('create', { ...options, staticData: before.staticData });
		const registered = created.staticData[NODE_KEY];
		expect(registered.webhookId).toBeTruthy();
		expect(registered.secret).toBeTruthy();
		expect(created.webhookUrl).toMatch(/^https:\/\/n8n\.example\.org\/webhook\/.+\/demarche-numerique$/);
		const listed = await gql(sb, '{ webhooks(demarche: {number: 1003}) { id url } }');
		expect(listed.webhooks).toContainEqual({ id: registered.webhookId, url: created.webhookUrl });
		const exists = await runWebhookMethod('checkExists', { ...options, staticData: created.staticData });
		expect(exists.result).toBe(true);
		const deleted = await runWebhookMethod('delete', { ...options, staticData: created.staticData });
		expect(deleted.staticData[NODE_KEY].webhookId).toBeUndefined();
		const after = await gql(sb, '{ webhooks(demarche: {number: 1003}) { id } }');
		expect(after.webhooks.map((w) => w.id)).not.toContain(registered.webhookId);
		const gone = await runWebhookMethod('checkExists', { ...options, staticData: deleted.staticData });
		expect(gone.result).toBe(false);
	});

	it('refuses to activate on a server without webhookCreer', async () => {
		const plain = await startSandbox({ size: 50 });
		try {
			await expect(
				runWebhookMethod('create', { node: node(), credentials: credentialsFor(plain) }),
			).rejects.toThrow(/no signed webhooks/);
		} finally {
			await plain.stop();
		}
	});
});
