'use strict';
/** Auth failures and error shapes, exactly as the platform's error table (ds-api.md). */
const { control, gql, start } = require('./helpers');

let sandbox;
beforeAll(async () => {
	sandbox = await start();
});
afterAll(() => sandbox.stop());

const TITLE = '{ demarche(number: 1002) { title } }';

describe('authentication', () => {
	it('answers with the admin token, in both header forms', async () => {
		for (const header of [
			`Bearer ${sandbox.tokens.admin}`,
			`Bearer token=${sandbox.tokens.admin}`,
		]) {
			const res = await gql(sandbox, TITLE, {}, header);
			expect(res.status).toBe(200);
			expect(res.json).toEqual({
				data: { demarche: { title: 'Demande de subvention association' } },
			});
		}
	});

	it.each([
		['no token', null],
		['an unknown token', 'Bearer not-a-real-token'],
	])('refuses %s with 403 forbidden', async (_name, header) => {
		const res = await gql(sandbox, TITLE, {}, header);
		expect(res.status).toBe(403);
		expect(res.json.errors[0].message).toBe('Without a token, only persisted queries are allowed');
		expect(res.json.errors[0].extensions.code).toBe('forbidden');
	});

	it('refuses an expired token with 401 unauthorized', async () => {
		const res = await gql(sandbox, TITLE, {}, `Bearer ${sandbox.tokens.expired}`);
		expect(res.status).toBe(401);
		expect(res.json.errors[0]).toMatchObject({
			message: 'Token expired',
			extensions: { code: 'unauthorized' },
		});
	});

	it('checks the network before the expiry: an expired token from a forbidden network gets 403', async () => {
		const expiredElsewhere = Object.entries(sandbox.sandbox.tokens).find(([, t]) => t.name === 'expired');
		const [value, token] = expiredElsewhere;
		token.allowedNetworks = ['10.20.0.0/16'];
		try {
			const res = await gql(sandbox, TITLE, {}, `Bearer ${value}`);
			expect(res.status).toBe(403);
			expect(res.json.errors[0].extensions.code).toBe('forbidden');
		} finally {
			delete token.allowedNetworks;
		}
	});

	it('a token works through the whole of its expiry day (Paris), not after', async () => {
		const token = Object.values(sandbox.sandbox.tokens).find((t) => t.name === 'expired');
		try {
			// Expires 2025-01-01 (Paris): valid at 23:30 that day (22:30 UTC), expired at 00:30 the next day.
			await control(sandbox, 'POST', '/clock', { set: '2025-01-01T22:30:00Z' });
			expect((await gql(sandbox, TITLE, {}, `Bearer ${sandbox.tokens.expired}`)).status).toBe(200);
			await control(sandbox, 'POST', '/clock', { set: '2025-01-01T23:30:00Z' });
			expect((await gql(sandbox, TITLE, {}, `Bearer ${sandbox.tokens.expired}`)).status).toBe(401);
			// Kept as the end of its expiry day: midnight in Paris.
			expect(token.expiresAt).toBe(Date.UTC(2025, 0, 1, 23));
		} finally {
			await control(sandbox, 'POST', '/clock', { real: true });
		}
	});

	it('an automatic-detection token locks to the address of its first call (PR #13357)', async () => {
		const http = require('http');
		const call = (localAddress) =>
			new Promise((resolve, reject) => {
				const url = new URL(sandbox.graphqlUrl);
				const req = http.request(
					{ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sandbox.tokens.autoDetect}` } },
					(res) => {
						let text = '';
						res.on('data', (c) => (text += c));
						res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text) }));
					},
				);
				req.on('error', reject);
				req.end(JSON.stringify({ query: TITLE }));
			});
		expect((await call('127.0.0.1')).status).toBe(200);
		expect((await call('127.0.0.1')).status).toBe(200);
		const elsewhere = await call('127.0.0.2');
		expect(elsewhere.status).toBe(403);
		expect(elsewhere.json.errors[0].message).toBe(
			'Request issued from a forbidden network. Add 127.0.0.2/32 to your allowed adresses in your /profil',
		);
	});

	it('refuses a token restricted to other networks with 403 and the caller address', async () => {
		const res = await gql(sandbox, TITLE, {}, `Bearer ${sandbox.tokens.forbiddenNetwork}`);
		expect(res.status).toBe(403);
		expect(res.json.errors[0].message).toBe(
			'Request issued from a forbidden network. Add 127.0.0.1/32 to your allowed adresses in your /profil',
		);
	});

	it('hides démarches outside a scoped token, with data null', async () => {
		const res = await gql(
			sandbox,
			'{ demarche(number: 1001) { title } }',
			{},
			`Bearer ${sandbox.tokens.scoped}`,
		);
		expect(res.status).toBe(200);
		expect(res.json.data).toBeNull();
		expect(res.json.errors[0]).toMatchObject({
			message: 'An object of type Demarche was hidden due to permissions',
			extensions: { code: 'unauthorized' },
		});
		const allowed = await gql(
			sandbox,
			'{ demarche(number: 1003) { number } }',
			{},
			`Bearer ${sandbox.tokens.scoped}`,
		);
		expect(allowed.json).toEqual({ data: { demarche: { number: 1003 } } });
	});

	it('answers mutations of a read-only token with the French payload error', async () => {
		const res = await gql(
			sandbox,
			'mutation { dossierArchiver(input: {dossierId: "RG9zc2llci0xMDAwMQ==", instructeurId: "x"}) { dossier { number } errors { message } } }',
			{},
			`Bearer ${sandbox.tokens.readOnly}`,
		);
		expect(res.json.data.dossierArchiver).toEqual({
			dossier: null,
			errors: [{ message: 'Le jeton utilisé est configuré seulement en lecture' }],
		});
	});
});

describe('error shapes', () => {
	it('not found: 200 with code not_found', async () => {
		for (const [query, message] of [
			['{ dossier(number: 1) { number } }', 'Dossier not found'],
			['{ demarche(number: 4242) { number } }', 'Demarche not found'],
		]) {
			const res = await gql(sandbox, query);
			expect(res.status).toBe(200);
			expect(res.json.data).toBeNull();
			expect(res.json.errors[0]).toMatchObject({ message, extensions: { code: 'not_found' } });
		}
	});

	it('GraphQL syntax error: 200 with errors, no data and no code (graphql-ruby answers it like a validation error)', async () => {
		const res = await gql(sandbox, '{ demarche(number: 1002) { title ');
		expect(res.status).toBe(200);
		expect(res.json.data).toBeUndefined();
		expect(res.json.errors).toHaveLength(1);
		expect(res.json.errors[0].message).toMatch(/Syntax Error/);
		expect(res.json.errors[0].locations).toEqual([{ line: 1, column: 34 }]);
		expect(res.json.errors[0].extensions).toBeUndefined();
		const empty = await gql(sandbox, '  ');
		expect([empty.status, empty.json]).toEqual([200, { errors: [{ message: 'No query string was present' }] }]);
	});

	it('the not-found name is the resolved field\'s type', async () => {
		const groupe = await gql(sandbox, '{ groupeInstructeur(number: 999999) { number } }');
		expect(groupe.json).toEqual({
			data: null,
			errors: [expect.objectContaining({ message: 'GroupeInstructeurWithDossiers not found', extensions: { code: 'not_found' } })],
		});
		// demarcheDescriptor is nullable: data keeps its key.
		const descriptor = await gql(sandbox, '{ demarcheDescriptor(demarche: {number: 4242}) { number } }');
		expect(descriptor.json.data).toEqual({ demarcheDescriptor: null });
		expect(descriptor.json.errors[0]).toMatchObject({ message: 'DemarcheDescriptor not found', extensions: { code: 'not_found' } });
		const otherRevision = await gql(
			sandbox,
			'query R($r: ID) { demarche(number: 1002) { dossiers(revision: $r) { nodes { number } } } }',
			{ r: Buffer.from('ProcedureRevision-1').toString('base64') },
		);
		expect(otherRevision.json.data).toBeNull();
		expect(otherRevision.json.errors[0]).toMatchObject({ message: 'DossierConnection not found', extensions: { code: 'not_found' } });
	});

	it('an Int beyond 32 bits is a validation error with code bad_request (PR #13526), as a literal or a variable', async () => {
		const literal = await gql(sandbox, '{ dossier(number: 41857984504807) { number } }');
		expect(literal.status).toBe(200);
		expect(literal.json.errors[0]).toMatchObject({ message: expect.stringMatching(/32-bit/), extensions: { code: 'bad_request' } });
		const variable = await gql(sandbox, 'query D($n: Int!) { dossier(number: $n) { number } }', { n: 41857984504807 });
		expect(variable.json.data).toBeUndefined();
		expect(variable.json.errors[0].extensions).toEqual({ code: 'bad_request' });
	});

	describe('a cursor the platform cannot read', () => {
		const PAGE = 'query P($after: String) { demarche(number: 1002) { dossiers(first: 2, after: $after) { nodes { number } pageInfo { endCursor } } } }';
		it('text that is not base64: 200, `Invalid input: "<cursor>"` without code, data null', async () => {
			const res = await gql(sandbox, PAGE, { after: 'not a cursor!' });
			expect(res.status).toBe(200);
			expect(res.json.data).toBeNull();
			expect(res.json.errors[0].message).toBe('Invalid input: "not a cursor!"');
			expect(res.json.errors[0].extensions).toBeUndefined();
		});
		it('base64 that holds no position: an empty page, silently', async () => {
			const res = await gql(sandbox, PAGE, { after: Buffer.from('hello').toString('base64url') });
			expect(res.json).toEqual({ data: { demarche: { dossiers: { nodes: [], pageInfo: { endCursor: null } } } } });
		});
		it('a position whose date is not a date: HTTP 400 bad_request (newer servers)', async () => {
			const res = await gql(sandbox, PAGE, { after: Buffer.from('x;1;h').toString('base64url') });
			expect(res.status).toBe(400);
			expect(res.json).toEqual({ errors: [{ message: 'invalid date', extensions: { code: 'bad_request' } }], data: null });
		});
	});

	it('bad JSON body: 400 bad_request', async () => {
		const response = await fetch(sandbox.graphqlUrl, {
			method: 'POST',
			headers: {
				'Content-Type': 'application/json',
				Authorization: `Bearer ${sandbox.tokens.admin}`,
			},
			body: '{"query": ',
		});
		expect(response.status).toBe(400);
		expect((await response.json()).errors[0].extensions.code).toBe('bad_request');
	});

	it('validation error: 200, standard errors without code', async () => {
		const res = await gql(sandbox, '{ demarche(number: 1002) { noSuchField } }');
		expect(res.status).toBe(200);
		expect(res.json.errors[0].message).toMatch(/noSuchField/);
		expect(res.json.errors[0].extensions).toBeUndefined();
	});

	it('depth above 15: refused by the analysis (HTTP 200, the message alone: no location, no code, no data); __typename counts', async () => {
		const deep =
			'{ dossier(number: 10001) { champs { ... on DossierLinkChamp { dossier { champs { ... on DossierLinkChamp { dossier { champs { ... on DossierLinkChamp { dossier { champs { ... on DossierLinkChamp { dossier { champs { ... on DossierLinkChamp { dossier { champs { ... on DossierLinkChamp { dossier { champs { ... on DossierLinkChamp { dossier { number } } } } } } } } } } } } } } } } } } } } } } }';
		const res = await gql(sandbox, deep);
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ errors: [{ message: 'Query has depth of 16, which exceeds max depth of 15' }] });
		// Six links deep, the dossier is at level 13: `champs { label }` reaches 15 (served), a
		// linked dossier's __typename 16 (refused: introspection fields count, as graphql-ruby's default).
		const links = (inner) =>
			`{ dossier(number: 10001) { ${'champs { ... on DossierLinkChamp { dossier { '.repeat(6)}${inner}${' } } }'.repeat(6)} } }`;
		expect((await gql(sandbox, links('champs { label }'))).json.errors).toBeUndefined();
		expect((await gql(sandbox, links('champs { label ... on DossierLinkChamp { dossier { __typename } } }'))).json).toEqual({
			errors: [{ message: 'Query has depth of 16, which exceeds max depth of 15' }],
		});
		// A field switched off by @include does not count.
		expect(
			(await gql(sandbox, links('champs { label ... on DossierLinkChamp { dossier @include(if: false) { __typename } } }'))).json.errors,
		).toBeUndefined();
	});

	it('serves POST only', async () => {
		const response = await fetch(sandbox.graphqlUrl, {
			headers: { Authorization: `Bearer ${sandbox.tokens.admin}` },
		});
		expect(response.status).toBe(404);
	});
});

describe('fork mode', () => {
	afterEach(() => control(sandbox, 'POST', '/modes', { forkMode: false }));

	it('removes dossierModifierAnnotations from the schema (introspection) and keeps the legacy mutations', async () => {
		const query = '{ __type(name: "Mutation") { fields(includeDeprecated: true) { name } } }';
		const names = async () =>
			(await gql(sandbox, query)).json.data.__type.fields.map((f) => f.name);
		expect(await names()).toContain('dossierModifierAnnotations');
		await control(sandbox, 'POST', '/modes', { forkMode: true });
		const forkNames = await names();
		expect(forkNames).not.toContain('dossierModifierAnnotations');
		expect(forkNames).toContain('dossierModifierAnnotationText');
	});
});

describe('variables', () => {
	it('accepts variables as a JSON string, as the platform does', async () => {
		const response = await fetch(sandbox.graphqlUrl, {
			method: 'POST',
			headers: {
				'Content-Type': 'application/json',
				Authorization: `Bearer ${sandbox.tokens.admin}`,
			},
			body: JSON.stringify({
				query: 'query($n: Int!) { demarche(number: $n) { number } }',
				variables: '{"n": 1004}',
			}),
		});
		expect(await response.json()).toEqual({ data: { demarche: { number: 1004 } } });
	});
});
