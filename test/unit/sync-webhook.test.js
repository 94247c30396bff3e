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

describe('signed webhooks (v2)', () => {
	const body = Buffer.from('{"events":[]}');
	const signature = `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`;

	it('accepts the HMAC-SHA256 of the raw body, nothing else', () => {
		expect(webhook.verifySignature(body, signature, 's3cret')).toBe(true);
		expect(webhook.verifySignature(body, signature.toUpperCase().replace('SHA256=', 'sha256='), 's3cret')).toBe(true);
		expect(webhook.verifySignature(body, signature, 'other')).toBe(false);
		expect(webhook.verifySignature(Buffer.from('{"events": []}'), signature, 's3cret')).toBe(false);
		expect(webhook.verifySignature(body, signature.replace('sha256=', ''), 's3cret')).toBe(false);
		expect(webhook.verifySignature(body, signature, '')).toBe(false);
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
