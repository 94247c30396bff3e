import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

/** One entry of a GraphQL `errors` array as the platform sends it. */
export interface GraphqlError {
	message: string;
	path?: Array<string | number>;
	locations?: Array<{ line: number; column: number }>;
	extensions?: { code?: string; exception_id?: string; [key: string]: unknown };
}

/** One entry of a mutation payload's `errors` or `warnings`. */
export interface PayloadMessage {
	message: string;
}

export interface ApiErrorDetails {
	message: string;
	description: string;
	httpCode?: string;
	code?: string;
	path?: Array<string | number>;
	exceptionId?: string;
	itemIndex?: number;
}

/** Everything a thrown error shows passes through here, so the token can never leak. */
export function scrub(text: string, secret: string | undefined): string {
	if (!text) return text;
	let out = text;
	if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
	return out.replace(/Bearer\s+(token=)?[A-Za-z0-9._~+/=-]{8,}/gi, 'Bearer [redacted]');
}

/**
 * Builds a NodeApiError from plain data only (never from a request or response object, whose
 * serialised options would carry the Authorization header).
 */
export function apiError(node: INode, details: ApiErrorDetails, secret?: string): NodeApiError {
	const message = scrub(details.message, secret);
	const description = scrub(details.description, secret);
	const response: JsonObject = { message };
	if (details.code) response.code = details.code;
	if (details.path) response.path = details.path.map(String);
	if (details.exceptionId) response.exceptionId = details.exceptionId;
	if (details.httpCode) response.httpCode = details.httpCode;
	const error = new NodeApiError(node, response, {
		message,
		description,
		httpCode: details.httpCode,
		itemIndex: details.itemIndex,
	});
	// NodeApiError swaps any message that mentions a socket code (ECONNRESET…) for a generic
	// text; ours names the host and the code, so keep it.
	error.message = message;
	// NodeApiError keeps its input as `cause`/context; both are plain and scrubbed above.
	if (details.code) error.context.code = details.code;
	if (details.path) error.context.path = details.path.join('.');
	return error;
}

const READ_ONLY_FIX =
	'The token is read-only. Create a token with write access ("lecture et écriture") in /profil and update the credential.';

/** A read-only token refused by the platform, in any of its forms (payload, root error, a null upload). */
export function isReadOnlyRefusal(error: GraphqlError | { message?: string; code?: string }): boolean {
	const message = error.message ?? '';
	const code = 'extensions' in error ? error.extensions?.code : (error as { code?: string }).code;
	if (/seulement en lecture/i.test(message)) return true;
	// Before PR #13547 a read-only createDirectUpload answered a null upload, not a message.
	return code === 'invalid_null' && /CreateDirectUploadPayload\.directUpload/.test(message);
}

/** The fix a user needs for each root GraphQL error the platform sends. */
export function describeGraphqlError(error: GraphqlError, baseUrl: string): string {
	const code = error.extensions?.code;
	const text = error.message ?? '';
	if (isReadOnlyRefusal(error)) return READ_ONLY_FIX;
	if (
		code === 'unauthorized' &&
		/hidden due to permissions/i.test(text) &&
		(error.path ?? []).some((step) => step === 'champs' || step === 'annotations')
	) {
		return 'A dossier-link champ points to a dossier in a démarche this token does not cover: the platform leaves that link empty (the champ keeps the number) and the rest of the dossier is complete. Use a token that also covers that démarche to read the linked dossier.';
	}
	if (code === 'unauthorized' && /hidden due to permissions/i.test(text)) {
		return 'The token cannot see this object: it belongs to an administrateur who does not manage this démarche, or its démarche list excludes it. Use a token of an administrateur of this démarche, or add the démarche to the token in /profil.';
	}
	if (code === 'unauthorized') {
		return `The token was refused. Create a new token in ${baseUrl}/profil and update the credential.`;
	}
	if (code === 'not_found' && /Payload not found$/.test(text)) {
		return 'An ID given to this change (dossier, instructeur, label, groupe instructeur or message) names nothing on this instance, or a dossier that is still a brouillon. Check the IDs and that the credential points at the instance where they exist.';
	}
	if (code === 'not_found') {
		return 'No such number on this instance. Check the number, and that the credential points at the instance where it exists.';
	}
	if (code === 'timeout') {
		return 'The platform stopped the query after 30 seconds. Under Include, turn off the parts you do not need (champs, annotations, messages, avis, geometry); a list also takes a smaller Page Size (Options). If it keeps happening with little asked, the platform is overloaded: retry later.';
	}
	if (/Query has complexity of \d+, which exceeds max complexity/.test(text)) {
		return 'The request asks too much at once for this server\'s complexity limit (60 000 on the canonical instance; each record of a page counts). Turn off parts you do not need under Include, or for a list lower its Page Size.';
	}
	if (code === 'invalid_null') {
		return 'The platform failed to serialise this object (a server-side bug on this record). Report it to the platform support with the dossier number; other records are unaffected.';
	}
	if (code === 'internal_server_error') {
		return `The platform raised an internal error${error.extensions?.exception_id ? ` (exception_id ${error.extensions.exception_id})` : ''}. Retry later; if it persists, report the exception_id to the platform support.`;
	}
	if (/cannot represent non 32-bit signed integer/i.test(text)) {
		return 'A number is beyond what the API accepts for an Int (±2 147 483 647). Check the number, or send it as text where the schema allows.';
	}
	if (code === 'graphql_parse_failed' || code === 'bad_request') {
		return 'The platform could not parse the request. If this is a custom GraphQL query, check its syntax and variables.';
	}
	if (code === 'forbidden') {
		return 'The token was refused. Check the token and that the instance URL is the one that issued it.';
	}
	if (/^Query has depth of \d+, which exceeds max depth/.test(text)) {
		return 'The document nests fields deeper than the platform allows. Select fewer nested levels.';
	}
	if (/too large to execute/i.test(text)) {
		return 'The platform refuses documents this large. Ask for fewer parts (champs, messages, avis, geometry) per dossier.';
	}
	if (/^Invalid input: /.test(text)) {
		return 'The platform could not read a page cursor (after/before). Use a cursor exactly as a previous page returned it (pageInfo.endCursor).';
	}
	if (/^No object found for `/.test(text)) {
		return 'An ID names an object of another kind (for example a dossier ID given as an instructeur ID). Check which ID goes in which argument.';
	}
	if (/^Syntax Error|^Expected |^Unexpected /.test(text)) {
		return 'The platform could not parse the GraphQL document. If this is a custom query, check its syntax at the line and column given.';
	}
	return 'The GraphQL document does not match what this server offers (older instance or fork?). If this is a custom query, check it against the server\'s schema.';
}

/**
 * English fixes for the French business errors mutations return in `errors`. Specific rules come
 * first: a message is matched by the first rule whose pattern it contains.
 */
const BUSINESS_FIXES: Array<[RegExp, string]> = [
	[/seulement en lecture/i, READ_ONLY_FIX],
	[
		/label est d[ée]j[aà] associ/i,
		'The dossier already has this label: there is nothing to add. Remove the step, or check the label first.',
	],
	[
		/label n.est pas associ/i,
		'The dossier does not have this label: there is nothing to remove.',
	],
	[
		/label n.appartient pas/i,
		'Labels belong to one démarche: use a label of the dossier\'s own démarche.',
	],
	[
		/d[ée]j[aà] avec le groupe instructeur/i,
		'The dossier is already in this groupe instructeur: there is nothing to change.',
	],
	[
		/hash|checksum|int[ée]grit[ée]/i,
		'The uploaded file does not match its checksum. The binary data may have changed during the upload: retry the item.',
	],
	[
		/t[ée]l[ée]vers|fichier envoy/i,
		'The file upload did not complete, or its reference is invalid or expired (uploads are valid for 1 hour). Retry the item so the file is uploaded again.',
	],
	[
		/message ne peut pas [êe]tre supprim/i,
		'Only the instructeur who sent a message can delete it, once, and a usager\'s or the platform\'s message never. Use that instructeur, check the message ID, and that a pending correction may be cancelled (Cancel Correction).',
	],
	[
		/demande de correction est d[ée]j[aà] en attente/i,
		'A correction is already pending on this dossier: wait until the usager corrects it, or cancel the pending request first (delete its message, or cancel the correction), then ask again. Nothing was sent.',
	],
	[
		/ne peut pas faire l.objet d.une demande de correction/i,
		'A correction can be requested only while the dossier is en construction or en instruction. This dossier has a final decision: take it back into instruction first (Repasser En Instruction). Nothing was sent.',
	],
	[
		/demande de correction ne peut pas [êe]tre annul/i,
		'The message carries no pending correction (none, or already resolved or cancelled): there is nothing to cancel.',
	],
	[
		/en attente de correction/i,
		'A correction requested from the usager is still pending, and this démarche does not let a dossier go into instruction before the usager corrects it. Wait for the correction, or cancel the request, then retry.',
	],
	[
		/informations du SIRET/i,
		'The company data (SIRET) of this dossier is incomplete on the platform: its lookup failed and is retried by the platform. Retry the decision later.',
	],
	[
		/SVA|SVR|demandez une correction/i,
		'This démarche decides by silence (SVA/SVR): a dossier cannot be sent back en construction. Ask the usager for a correction instead (Send Message with a Correction Request).',
	],
	[
		/envoyer un message sur un dossier/i,
		'No message can be sent on this dossier: it is archived, deleted or still a brouillon. Unarchive it first if it is archived.',
	],
	[
		/ne peut pas [êe]tre clon[ée]/i,
		'This démarche cannot be cloned with this token: it does not exist, or it is neither one of the token\'s démarches nor published as open data. Check the number and the token.',
	],
	[
		/libell[ée]/i,
		'A groupe instructeur needs a label, one that no other groupe of the démarche uses.',
	],
	[
		/par d[ée]faut/i,
		'The démarche\'s default groupe instructeur cannot be closed.',
	],
	[
		/n.a pas les droits d.acc[eè]s/i,
		'This instructeur cannot act on this dossier: choose an instructeur of the dossier\'s groupe instructeur, or add them to the groupe first.',
	],
	[
		/est d[ée]j[aà]/i,
		'The dossier is not in a state that allows this change. Read its current state first, or enable "Succeed If Already In Target State" to make re-runs idempotent.',
	],
	[
		/blob|expir/i,
		'The uploaded file reference expired (uploads are valid for 1 hour) or is invalid. Retry the item so the file is uploaded again.',
	],
	[
		/motivation/i,
		'This decision needs a motivation: fill in the Motivation parameter.',
	],
	[
		/annotation|champ|options propos[ée]es|est invalide|le dossier n.existe pas/i,
		'The annotation was not found on this dossier\'s revision, or its value was refused. Check the annotation label or ID against the démarche\'s current form, and the value against its type.',
	],
	[
		/archiv/i,
		'Only dossiers with a final decision (accepté, refusé, sans suite) can be archived.',
	],
	[
		/groupe/i,
		'Check the groupe instructeur: it must belong to the dossier\'s démarche and be open.',
	],
];

export function describeBusinessError(message: string): string {
	for (const [pattern, fix] of BUSINESS_FIXES) if (pattern.test(message)) return fix;
	return 'The platform refused the change. Its message (in French) above says why.';
}
