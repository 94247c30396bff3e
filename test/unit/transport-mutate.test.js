'use strict';
/** mutate(): payload `errors` (French, no code) become an error with an English fix; `warnings` come back. */
const { NodeApiError } = require('n8n-workflow');

const { describeBusinessError, mutate } = require('../../nodes/DemarcheNumerique/transport');
const { caught, fakeContext, gqlErrors, reply, virtualClock } = require('../helpers/transport-fakes');

const document = {
	query:
		'mutation dossierAccepter($input: DossierAccepterInput!) { dossierAccepter(input: $input) { dossier { id state } errors { message } } }',
	operationName: 'dossierAccepter',
	variables: { input: { dossierId: 'RG9zc2llci0xMjM0', instructeurId: 'SW5zdHJ1Y3RldXItMQ==' } },
	mutationField: 'dossierAccepter',
};

beforeEach(() => virtualClock());
afterEach(() => jest.restoreAllMocks());

function run(payload, settings) {
	const fake = fakeContext([reply(200, { data: { [document.mutationField]: payload } })]);
	return { fake, promise: mutate.call(fake.ctx, document, settings) };
}

describe('mutation payloads', () => {
	it('returns the payload on success, and sends only {query, variables, operationName}', async () => {
		const payload = { dossier: { id: 'RG9zc2llci0xMjM0', state: 'accepte' }, errors: null };
		const { fake, promise } = run(payload);
		await expect(promise).resolves.toEqual(payload);
		expect(Object.keys(fake.requests[0].options.body).sort()).toEqual([
			'operationName',
			'query',
			'variables',
		]);
	});

	it('read-only token: quotes the French message, explains the fix in English (write access)', async () => {
		const { fake, promise } = run({
			dossier: null,
			errors: [{ message: 'Le jeton utilisé est configuré seulement en lecture' }],
		});
		const error = await caught(promise);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('Le jeton utilisé est configuré seulement en lecture');
		expect(error.message).toContain('dossierAccepter');
		expect(error.description).toMatch(/read-only/i);
		expect(error.description).toMatch(/write access/i);
		expect(fake.requests).toHaveLength(1);
	});

	it('an instructeur without access: names the fix (an instructeur of the groupe)', async () => {
		const { promise } = run({
			dossier: null,
			errors: [{ message: 'L’instructeur n’a pas les droits d’accès à ce dossier' }],
		});
		const error = await caught(promise);
		expect(error.message).toContain('L’instructeur n’a pas les droits d’accès à ce dossier');
		expect(error.description).toMatch(/groupe instructeur/);
	});

	it('several errors are all quoted', async () => {
		const { promise } = run({
			dossier: null,
			errors: [{ message: 'Le dossier est déjà accepté' }, { message: 'Autre problème' }],
		});
		const error = await caught(promise);
		expect(error.message).toContain('Le dossier est déjà accepté');
		expect(error.message).toContain('Autre problème');
		expect(error.description).toMatch(/state/i);
	});

	it('an unknown French message still quotes the platform, with a generic fix', async () => {
		const { promise } = run({ dossier: null, errors: [{ message: 'Quelque chose de nouveau' }] });
		const error = await caught(promise);
		expect(error.message).toContain('Quelque chose de nouveau');
		expect(error.description).toMatch(/platform refused/i);
	});

	it('warnings are returned, not thrown', async () => {
		const payload = {
			groupeInstructeur: { id: 'R3JvdXBlSW5zdHJ1Y3RldXItNw==' },
			errors: [],
			warnings: [{ message: "pas-un-email n'est pas une adresse e-mail valide" }],
		};
		const { promise } = run(payload);
		await expect(promise).resolves.toEqual(payload);
	});

	it('a null payload (mutation not applied) is an error, not a silent success', async () => {
		const { promise } = run(null, { itemIndex: 2 });
		const error = await caught(promise);
		expect(error.message).toContain('dossierAccepter');
		expect(error.context.itemIndex).toBe(2);
	});

	it('root errors of a mutation are thrown (never returned as partial data)', async () => {
		const fake = fakeContext([
			reply(
				200,
				gqlErrors(
					[
						{
							message: 'Dossier not found',
							path: ['dossierAccepter'],
							extensions: { code: 'not_found' },
						},
					],
					{ dossierAccepter: null },
				),
			),
		]);
		const error = await caught(mutate.call(fake.ctx, document, { partial: true }));
		expect(error.message).toContain('Dossier not found');
		expect(error.context.code).toBe('not_found');
	});

	it('tags business errors with the item index', async () => {
		const { promise } = run(
			{ dossier: null, errors: [{ message: 'Le dossier est déjà accepté' }] },
			{ itemIndex: 4 },
		);
		const error = await caught(promise);
		expect(error.context.itemIndex).toBe(4);
	});
});

describe('describeBusinessError', () => {
	it.each([
		['Le jeton utilisé est configuré seulement en lecture', /write access/],
		['Le dossier est déjà en instruction', /state/],
		['Le dossier est déjà accepté', /state/],
		['L’instructeur n’a pas les droits d’accès à ce dossier', /instructeur/],
		["L'instructeur n'a pas les droits d'accès à ce dossier", /instructeur/],
	])('%j → an English fix', (message, fix) => {
		const description = describeBusinessError(message);
		expect(description).toMatch(fix);
		// English: none of the French words of the message is echoed as the explanation.
		expect(description).not.toContain(message);
	});
});

describe('mutations are never resent after a failure that may hide a success', () => {
	it.each([
		['a 503', () => reply(503, 'Service Unavailable')],
		['a 500 with exception_id', () => reply(500, gqlErrors([{ message: 'Internal Server Error', extensions: { code: 'internal_server_error', exception_id: 'ex-1' } }]))],
		['a platform timeout', () => reply(200, gqlErrors([{ message: 'Timeout', extensions: { code: 'timeout' } }], { dossierAccepter: null }))],
	])('%s: one request, and the error says the change may have been applied', async (_name, answer) => {
		const fake = fakeContext([answer(), reply(200, { data: { dossierAccepter: { dossier: { id: 'x' }, errors: [] } } })]);
		const error = await caught(mutate.call(fake.ctx, document));
		expect(fake.requests).toHaveLength(1);
		expect(error.description).toMatch(/may or may not have been applied/);
	});

	it('a 429 is still waited out and retried: the platform refused it before running it', async () => {
		const reset = Math.floor(Date.UTC(2026, 10, 28, 10, 0, 30) / 1000);
		const fake = fakeContext([
			reply(429, 'Calm down, cowboy!', { 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset) }),
			reply(200, { data: { dossierAccepter: { dossier: { id: 'x' }, errors: [] } } }),
		]);
		await expect(mutate.call(fake.ctx, document)).resolves.toMatchObject({ dossier: { id: 'x' } });
		expect(fake.requests).toHaveLength(2);
	});
});
