'use strict';
/**
 * graphqlRequest against each row of the error table of ds-api.md: the right retry, or the right
 * error text, and never the token in what is thrown.
 */
const { NodeApiError } = require('n8n-workflow');

const { graphqlRequest } = require('../../nodes/DemarcheNumerique/transport');
const {
	BASE_URL,
	TOKEN,
	caught,
	fakeContext,
	gqlErrors,
	reply,
	virtualClock,
} = require('../helpers/transport-fakes');

const document = {
	query: 'query getDossier($number: Int!) { dossier(number: $number) { id number } }',
	operationName: 'getDossier',
	variables: { number: 1234 },
};
const ok = reply(200, { data: { dossier: { id: 'RG9zc2llci0xMjM0', number: 1234 } } });

let clock;
beforeEach(() => {
	clock = virtualClock();
});
afterEach(() => jest.restoreAllMocks());

function run(script, settings, credentials) {
	const fake = fakeContext(script, credentials);
	return { fake, promise: graphqlRequest.call(fake.ctx, document, { intent: 'read', ...settings }) };
}

describe('the request sent', () => {
	it('POSTs {query, variables, operationName} as JSON to {baseUrl}/api/v2/graphql with the credential', async () => {
		const { fake, promise } = run([ok]);
		await expect(promise).resolves.toEqual({
			data: { dossier: { id: 'RG9zc2llci0xMjM0', number: 1234 } },
			errors: undefined,
		});
		expect(fake.requests).toHaveLength(1);
		const [{ credentialType, options }] = fake.requests;
		expect(credentialType).toBe('demarcheNumeriqueApi');
		expect(options.method).toBe('POST');
		expect(options.url).toBe('https://dn.example.fr/api/v2/graphql');
		expect(options.body).toEqual({
			query: document.query,
			variables: { number: 1234 },
			operationName: 'getDossier',
		});
		// The transport reads statuses itself: n8n must hand back every response whole.
		expect(options.returnFullResponse).toBe(true);
		expect(options.ignoreHttpStatusErrors).toBe(true);
		// The token is added by n8n from the credential, never by the transport.
		expect(JSON.stringify(options)).not.toContain(TOKEN);
	});

	it.each([
		['https://dn.example.fr/', 'https://dn.example.fr/api/v2/graphql'],
		['https://dn.example.fr/api/v2/graphql', 'https://dn.example.fr/api/v2/graphql'],
		['  https://dn.example.fr//  ', 'https://dn.example.fr/api/v2/graphql'],
		['https://forge.example.org/demarches/', 'https://forge.example.org/demarches/api/v2/graphql'],
	])('normalises the credential base URL %j', async (baseUrl, url) => {
		const { fake, promise } = run([ok], {}, { baseUrl });
		await promise;
		expect(fake.requests[0].options.url).toBe(url);
	});

	it('refuses to send anything when the credential has no usable URL', async () => {
		const { fake, promise } = run([ok], {}, { baseUrl: '   ' });
		const error = await caught(promise);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/instance URL/i);
		expect(fake.requests).toHaveLength(0);
	});
});

describe('authentication failures (no retry, a description that says what to do)', () => {
	it('403 "Without a token…" (wrong token): platform message, check token and instance URL', async () => {
		const { fake, promise } = run([
			reply(
				403,
				gqlErrors([
					{
						message: 'Without a token, only persisted queries are allowed',
						extensions: { code: 'forbidden' },
					},
				]),
			),
		]);
		const error = await caught(promise);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('Without a token, only persisted queries are allowed');
		expect(error.httpCode).toBe('403');
		expect(error.description).toMatch(/check the token/i);
		expect(error.description).toContain(BASE_URL);
		expect(fake.requests).toHaveLength(1);
		expect(clock.sleeps).toEqual([]);
	});

	it('401 "Token expired": says the token expired and where to create a new one', async () => {
		const { fake, promise } = run([
			reply(401, gqlErrors([{ message: 'Token expired', extensions: { code: 'unauthorized' } }])),
		]);
		const error = await caught(promise);
		expect(error.message).toContain('Token expired');
		expect(error.httpCode).toBe('401');
		expect(error.description).toMatch(/expired/i);
		expect(error.description).toContain(`${BASE_URL}/profil`);
		expect(error.description).toMatch(/new token/i);
		expect(fake.requests).toHaveLength(1);
	});

	it('403 forbidden network: the description names the IP to allow', async () => {
		const message =
			'Request issued from a forbidden network. Add 203.0.113.7/32 to your allowed adresses in your /profil';
		const { fake, promise } = run([
			reply(403, gqlErrors([{ message, extensions: { code: 'forbidden' } }])),
		]);
		const error = await caught(promise);
		expect(error.message).toContain('forbidden network');
		expect(error.description).toContain('203.0.113.7/32');
		expect(error.description).toMatch(/allowed networks/i);
		expect(error.description).toContain(`${BASE_URL}/profil`);
		expect(fake.requests).toHaveLength(1);
	});

	it('403 with a plain-text body (a proxy) still explains the refusal', async () => {
		const { promise } = run([reply(403, 'Forbidden')]);
		const error = await caught(promise);
		expect(error.message).toContain('Forbidden');
		expect(error.httpCode).toBe('403');
		expect(error.description).toMatch(/token/i);
	});
});

describe('root GraphQL errors on HTTP 200', () => {
	it('"hidden due to permissions": says which token can see it; code kept', async () => {
		const { fake, promise } = run([
			reply(
				200,
				gqlErrors(
					[
						{
							message: 'An object of type Demarche was hidden due to permissions',
							path: ['demarche'],
							extensions: { code: 'unauthorized' },
						},
					],
					null,
				),
			),
		]);
		const error = await caught(promise);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('hidden due to permissions');
		expect(error.description).toMatch(/administrateur/);
		expect(error.description).toMatch(/démarche/);
		expect(error.context.code).toBe('unauthorized');
		expect(error.context.path).toBe('demarche');
		expect(fake.requests).toHaveLength(1);
	});

	it('not_found: quotes the platform and tells to check the number and instance', async () => {
		const { fake, promise } = run([
			reply(
				200,
				gqlErrors(
					[{ message: 'Dossier not found', path: ['dossier'], extensions: { code: 'not_found' } }],
					{ dossier: null },
				),
			),
		]);
		const error = await caught(promise);
		expect(error.message).toContain('Dossier not found');
		expect(error.description).toMatch(/number/i);
		expect(error.context.code).toBe('not_found');
		expect(fake.requests).toHaveLength(1);
	});

	it('validation errors (no code): all counted, the first quoted, not retried', async () => {
		const { fake, promise } = run([
			reply(
				200,
				gqlErrors([
					{
						message: "Field 'foo' doesn't exist on type 'Dossier'",
						locations: [{ line: 1, column: 40 }],
					},
					{
						message: "Field 'bar' doesn't exist on type 'Dossier'",
						locations: [{ line: 1, column: 44 }],
					},
				]),
			),
		]);
		const error = await caught(promise);
		expect(error.message).toContain("Field 'foo' doesn't exist on type 'Dossier'");
		expect(error.message).toMatch(/1 more error/);
		expect(error.description).toMatch(/schema|older instance|fork/i);
		expect(fake.requests).toHaveLength(1);
		expect(clock.sleeps).toEqual([]);
	});

	it('invalid_null with partial data: returned with `partial`, thrown without', async () => {
		const body = gqlErrors(
			[
				{
					message: 'Cannot return null for non-nullable field Dossier.demandeur',
					path: ['demarche', 'dossiers', 'nodes', 1, 'demandeur'],
					extensions: { code: 'invalid_null' },
				},
			],
			{ demarche: { dossiers: { nodes: [{ number: 1 }, null, { number: 3 }] } } },
		);
		const partial = run([reply(200, body)], { partial: true });
		const result = await partial.promise;
		expect(result.data.demarche.dossiers.nodes).toEqual([{ number: 1 }, null, { number: 3 }]);
		expect(result.errors).toHaveLength(1);
		expect(result.errors[0].extensions.code).toBe('invalid_null');
		expect(partial.fake.requests).toHaveLength(1);

		const strict = run([reply(200, body)]);
		const error = await caught(strict.promise);
		expect(error.message).toContain('Cannot return null for non-nullable field');
		expect(error.context.code).toBe('invalid_null');
		expect(error.context.path).toBe('demarche.dossiers.nodes.1.demandeur');
		expect(error.description).toMatch(/support/i);
		expect(strict.fake.requests).toHaveLength(1);
	});

	it('tags errors with the item index for continue-on-fail', async () => {
		const { promise } = run(
			[
				reply(
					200,
					gqlErrors([{ message: 'Dossier not found', extensions: { code: 'not_found' } }]),
				),
			],
			{ itemIndex: 3 },
		);
		const error = await caught(promise);
		expect(error.context.itemIndex).toBe(3);
	});
});

describe('HTTP 400 (not retried)', () => {
	it.each([
		['graphql_parse_failed', 'Parse error on "}" (RCURLY) at [1, 2]'],
		['bad_request', 'unexpected token at \'{"query"\''],
	])('%s: quotes the platform, says to check the syntax', async (code, message) => {
		const { fake, promise } = run([reply(400, gqlErrors([{ message, extensions: { code } }]))]);
		const error = await caught(promise);
		expect(error.message).toContain(message);
		expect(error.httpCode).toBe('400');
		expect(error.context.code).toBe(code);
		expect(error.description).toMatch(/syntax/i);
		expect(fake.requests).toHaveLength(1);
		expect(clock.sleeps).toEqual([]);
	});

	it('a non-JSON answer (login page, proxy) says to check the instance URL', async () => {
		const { promise } = run([reply(200, '<html><body>Connexion</body></html>')]);
		const error = await caught(promise);
		expect(error.message).toMatch(/not JSON/i);
		expect(error.description).toContain(BASE_URL);
	});
});
