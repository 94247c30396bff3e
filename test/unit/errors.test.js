'use strict';
/** errors.ts: the token scrubber, the NodeApiError builder and the fix for each platform code. */
const { NodeApiError } = require('n8n-workflow');

const {
	apiError,
	describeGraphqlError,
	scrub,
} = require('../../nodes/DemarcheNumerique/transport');
const { TOKEN, expectNoToken, node } = require('../helpers/transport-fakes');

const BASE = 'https://dn.example.fr';

describe('scrub', () => {
	it('removes every occurrence of the token', () => {
		expect(scrub(`a ${TOKEN} b ${TOKEN}`, TOKEN)).toBe('a [redacted] b [redacted]');
	});

	it('removes Bearer headers even for a token it was not told about', () => {
		for (const header of [
			'Bearer abcdefgh12345678',
			'Bearer token=abcdefgh12345678',
			'bearer  xYz.123-abc_def~ghi+/=',
		]) {
			const out = scrub(`Authorization: ${header}`, undefined);
			expect(out).toContain('[redacted]');
			expect(out).not.toMatch(/abcdefgh12345678|xYz\.123/);
		}
	});

	it('leaves ordinary text alone', () => {
		expect(scrub('Dossier not found', TOKEN)).toBe('Dossier not found');
		expect(scrub('', TOKEN)).toBe('');
	});
});

describe('apiError', () => {
	it('builds a NodeApiError with our message, description, code, path and item index', () => {
		const error = apiError(node, {
			message: 'Dossier not found',
			description: 'Check the number.',
			code: 'not_found',
			path: ['dossier', 0, 'number'],
			httpCode: '200',
			itemIndex: 2,
		});
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Dossier not found');
		expect(error.description).toBe('Check the number.');
		expect(error.context).toMatchObject({
			code: 'not_found',
			path: 'dossier.0.number',
			itemIndex: 2,
		});
		expect(error.httpCode).toBe('200');
	});

	it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND'])(
		'keeps a message that mentions %s (n8n would swap it for a generic text)',
		(code) => {
			const message = `Could not reach ${BASE} (${code})`;
			const error = apiError(node, { message, description: 'Check the URL.', code });
			expect(error.message).toBe(message);
			expect(error.description).toBe('Check the URL.');
		},
	);

	it('keeps our message over n8n’s generic text for an HTTP status', () => {
		const error = apiError(node, {
			message: 'Token expired',
			description: 'Renew it.',
			httpCode: '401',
		});
		expect(error.message).toBe('Token expired');
		expect(error.httpCode).toBe('401');
	});

	it('scrubs the token from message and description, and keeps no request object', () => {
		const error = apiError(
			node,
			{ message: `refused ${TOKEN}`, description: `header Bearer ${TOKEN}`, code: 'forbidden' },
			TOKEN,
		);
		expectNoToken(error);
		expect(error.cause).toBeUndefined();
	});
});

describe('describeGraphqlError: a fix for each code of the platform', () => {
	const describe_ = (message, code, extra = {}) =>
		describeGraphqlError({ message, extensions: code ? { code, ...extra } : undefined }, BASE);

	it.each([
		[
			'An object of type Demarche was hidden due to permissions',
			'unauthorized',
			/administrateur of this démarche/,
		],
		['Token expired', 'unauthorized', new RegExp(`${BASE}/profil`)],
		['Dossier not found', 'not_found', /number/],
		['Timeout on Query.demarche', 'timeout', /fewer dossiers|turn off/],
		['Cannot return null for non-nullable field', 'invalid_null', /support/],
		['Parse error', 'graphql_parse_failed', /syntax/],
		['unexpected token', 'bad_request', /syntax/],
		['Without a token, only persisted queries are allowed', 'forbidden', /token/],
		["Field 'x' doesn't exist on type 'Dossier'", undefined, /schema/],
		['DossierAccepterPayload not found', 'not_found', /ID given to this change/],
		['Le jeton utilisé est configuré seulement en lecture', 'unauthorized', /read-only/],
		['Cannot return null for non-nullable field CreateDirectUploadPayload.directUpload', 'invalid_null', /read-only/],
		['Query has complexity of 75210, which exceeds max complexity of 60000', undefined, /complexity limit.*Page Size/],
		['Query has depth of 17, which exceeds max depth of 15', undefined, /deeper/],
		['Invalid input: "abc"', undefined, /cursor/],
		['No object found for `instructeurId: "RG9zc2llci0x"`', undefined, /another kind/],
		['Syntax Error: Expected Name, found <EOF>.', undefined, /syntax/],
		['Int cannot represent non 32-bit signed integer value: 41857984504807', 'bad_request', /2 147 483 647/],
	])('%s (%s)', (message, code, fix) => {
		expect(describe_(message, code)).toMatch(fix);
	});

	it('tells a linked dossier the token cannot see from a hidden object, and explains the complexity cap', () => {
		const link = describeGraphqlError(
			{
				message: 'An object of type Dossier was hidden due to permissions',
				path: ['dossier', 'champs', 3, 'dossier'],
				extensions: { code: 'unauthorized' },
			},
			BASE,
		);
		expect(link).toMatch(/dossier-link champ .* \(the champ keeps the number\)/);
		expect(describe_('Query has complexity of 75000, which exceeds max complexity of 60000')).toMatch(/Include.*Page Size/);
	});

	it('quotes the exception_id of an internal error', () => {
		expect(
			describe_('Internal Server Error', 'internal_server_error', { exception_id: 'exc-42' }),
		).toContain('exc-42');
	});

	it('gives different advice for different situations', () => {
		const fixes = [
			'hidden due to permissions|unauthorized',
			'x|not_found',
			'x|timeout',
			'x|invalid_null',
			'x|forbidden',
			'x|',
		].map((pair) => {
			const [message, code] = pair.split('|');
			return describe_(message, code || undefined);
		});
		expect(new Set(fixes).size).toBe(fixes.length);
	});
});

describe('describeBusinessError: the most specific rule wins', () => {
	const { describeBusinessError } = require('../../nodes/DemarcheNumerique/transport/errors');
	it.each([
		// A message about the motivation that names a champ is about the motivation.
		['Le champ « motivation » doit être rempli', /needs a motivation/],
		['L‘annotation "Q2hhbXAtMQ==" n’existe pas', /annotation was not found/],
		['doit être dans les options proposées', /value was refused/],
		['Une demande de correction est déjà en attente sur ce dossier', /already pending/],
		['Le dossier ne peut pas faire l’objet d’une demande de correction car il est accepté', /Repasser En Instruction/],
		['Le dossier est en attente de correction', /correction requested from the usager is still pending/],
		['Les informations du SIRET du dossier ne sont pas complètes. Veuillez réessayer plus tard.', /SIRET/],
		['Le champ « Dossier » Il n’est pas possible d’envoyer un message sur un dossier supprimé, à archiver ou en brouillon', /Unarchive/],
		['La démarche "12" ne peut pas être clonée.', /cannot be cloned/],
	])('%s', (message, fix) => {
		expect(describeBusinessError(message)).toMatch(fix);
	});
});
