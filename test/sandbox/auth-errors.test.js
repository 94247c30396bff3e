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

	it('GraphQL syntax error: 400 graphql_parse_failed', async () => {
		const res = await gql(sandbox, '{ demarche(number: 1002) { title ');
		expect(res.status).toBe(400);
		expect(res.json.errors[0].extensions.code).toBe('graphql_parse_failed');
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
