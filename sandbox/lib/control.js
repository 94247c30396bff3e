'use strict';
/**
 * The control API: JSON over HTTP under /__sandbox/ on the API port, no auth. See sandbox/README.md.
 */
const { decodeGlobalId, globalId, parseDateTime, formatDateTime } = require('./util');
const { form } = require('./demarches');
const { addDemarche } = require('./seed');
const { fileRef } = require('./generate');
const { md5Base64 } = require('./util');

function httpError(status, message) {
	return Object.assign(new Error(message), { status });
}

/** Accepts an ISO string or epoch ms. */
function timeArg(value) {
	if (value === undefined || value === null) return undefined;
	const ms = typeof value === 'number' ? value : parseDateTime(value);
	if (ms === null) throw httpError(400, `Not a date: ${value}`);
	return ms;
}

/** Map `{label | stableId | champ global id: raw}` to `{stableId: raw}` for a dossier's revision. */
function resolveValues(store, record, values, annotations) {
	const revision = store.revisionOf(record);
	const descs = annotations ? revision.annotations : revision.champs;
	const out = {};
	for (const [key, raw] of Object.entries(values || {})) {
		const decoded = decodeGlobalId(key);
		const stableId = decoded && decoded.type === 'Champ' ? Number(decoded.id) : Number(key);
		const desc = descs.find((d) => d.stableId === stableId) || descs.find((d) => d.label === key);
		if (!desc)
			throw httpError(
				400,
				`No ${annotations ? 'annotation' : 'champ'} "${key}" in dossier ${record.number}'s revision`,
			);
		out[desc.stableId] =
			desc.type === 'datetime' && typeof raw === 'string' ? parseDateTime(raw) : raw;
	}
	return out;
}

const isoOrNull = (ms) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function dossierView(store, record) {
	const content = store.content(record);
	return {
		number: record.number,
		demarche: record.demarche,
		groupe: record.groupe,
		state: record.state,
		archived: record.archived,
		hidden: record.hidden,
		hiddenByUserAt: isoOrNull(record.hiddenByUserAt),
		hiddenByAdministrationAt: isoOrNull(record.hiddenByAdministrationAt),
		hiddenByExpiredAt: isoOrNull(record.hiddenByExpiredAt),
		hiddenByReason: record.hiddenByReason,
		dateDepot: formatDateTime(record.depotAt),
		dateDerniereModification: formatDateTime(record.modifiedAt),
		dateDerniereModificationMs: record.modifiedAt,
		revisionId: record.revisionId,
		labels: record.labelIds.map((id) => store.labels.get(id).name),
		champs: content.champs.map((c) => ({
			id: c.id,
			label: c.label,
			kind: c.kind,
			stringValue: c.stringValue,
		})),
		annotations: content.annotations.map((c) => ({
			id: c.id,
			label: c.label,
			kind: c.kind,
			stringValue: c.stringValue,
		})),
		messages: content.messages.length,
		version: record.version,
	};
}

function demarcheView(store, d) {
	const revision = store.revisions.get(d.activeRevisionId);
	const descriptor = (desc) => ({ id: globalId('Champ', desc.stableId), label: desc.label, type: desc.type, required: Boolean(desc.required) });
	return {
		number: d.number,
		title: d.title,
		state: d.state,
		declarative: d.declarative,
		svaSvr: d.svaSvr,
		flags: d.flags,
		groupes: d.groupeNumbers.map((n) => store.groupes.get(n)),
		labels: d.labelIds.map((id) => store.labels.get(id)),
		revisions: d.revisionIds,
		activeRevisionId: d.activeRevisionId,
		champs: revision.champs.map(descriptor),
		annotations: revision.annotations.map(descriptor),
		counts: store.counts().byDemarche[d.number],
	};
}

/**
 * @param {object} sandbox running state (see index.js)
 * @returns {(req, res, url: URL, body: any) => Promise<{status?: number, body: any}>}
 */
function controlRoutes(sandbox) {
	const routes = {
		'GET /__sandbox/': () => ({
			tokens: sandbox.tokenValues,
			facts: sandbox.facts,
			endpoints: Object.keys(routes),
		}),
		'GET /__sandbox/facts': () => sandbox.facts,
		'POST /__sandbox/reset': (body) => {
			sandbox.reseed({ seed: body.seed, size: body.size });
			return { facts: sandbox.facts };
		},
		'GET /__sandbox/counts': () => sandbox.store.counts(),
		'GET /__sandbox/dossiers/:number': (_b, p) => {
			const record = sandbox.store.getDossier(p.number);
			if (!record) throw httpError(404, `Dossier ${p.number} not found`);
			return dossierView(sandbox.store, record);
		},
		'GET /__sandbox/demarches/:number': (_b, p) => {
			const d = sandbox.store.demarches.get(Number(p.number));
			if (!d) throw httpError(404, `Démarche ${p.number} not found`);
			return demarcheView(sandbox.store, d);
		},
		/**
		 * A new démarche from a definition (demarches.js): `{number?, title?, forIndividual?,
		 * champs?, annotations?, groupes? ([{label, instructeurs: [login|email]}]), labels?, state?,
		 * declarative?, svaSvr?, flags?}`; it has no dossiers until deposits.
		 */
		'POST /__sandbox/act/demarche': (body) => {
			const store = sandbox.store;
			const number = body.number !== undefined ? Number(body.number) : Math.max(...store.demarches.keys()) + 1;
			if (store.demarches.has(number)) throw httpError(409, `Démarche ${number} exists`);
			const { champs, annotations } = form(number, body.champs || [], body.annotations || []);
			addDemarche(store, {
				number,
				title: body.title || `Démarche ${number}`,
				description: body.description || '',
				forIndividual: body.forIndividual !== false,
				service: { nom: 'Service de test', organisme: 'Sandbox', siret: '11000001900017', typeOrganisme: 'administration_centrale' },
				groupes: body.groupes || [{ label: 'défaut', instructeurs: ['claire.martin', 'paul.bernard'] }],
				labels: body.labels || [],
				champs,
				annotations,
				state: body.state,
				declarative: body.declarative,
				svaSvr: body.svaSvr,
				flags: body.flags,
				createdAt: store.now(),
			});
			return demarcheView(store, store.demarches.get(number));
		},
		/**
		 * The platform's per-démarche switches: `{state?, declarative?, svaSvr?, flags?,
		 * combinedDeclarativeEmail?, requiredAnnotations?: {"<label>": boolean}}`.
		 */
		'POST /__sandbox/demarches/:number/settings': (body, p) => {
			const store = sandbox.store;
			const d = store.demarches.get(Number(p.number));
			if (!d) throw httpError(404, `Démarche ${p.number} not found`);
			for (const key of ['state', 'declarative', 'svaSvr', 'combinedDeclarativeEmail'])
				if (body[key] !== undefined) d[key] = body[key];
			if (body.flags) d.flags = { ...d.flags, ...body.flags };
			for (const [label, required] of Object.entries(body.requiredAnnotations || {})) {
				const descs = d.revisionIds.flatMap((id) => store.revisions.get(id).annotations);
				const matching = descs.filter((desc) => desc.label === label);
				if (!matching.length) throw httpError(400, `No annotation "${label}" in démarche ${d.number}`);
				for (const desc of matching) desc.required = Boolean(required);
			}
			// Served content depends on the switches (system messages): rebuild it.
			store.contentCache.clear();
			return demarcheView(store, d);
		},
		/** A dossier's SIRET data in degraded mode (`Etablissement#as_degraded_mode?`): `{number, degraded}`. */
		'POST /__sandbox/act/siret-degraded': (body) => {
			const record = sandbox.store.requireDossier(body.number);
			record.siretDegraded = body.degraded !== false;
			return dossierView(sandbox.store, record);
		},
		'POST /__sandbox/act/deposit': (body) => {
			const store = sandbox.store;
			const demarche = store.demarches.get(Number(body.demarche));
			if (!demarche) throw httpError(404, `Démarche ${body.demarche} not found`);
			const record = store.deposit(demarche.number, {
				groupe: body.groupe,
				at: timeArg(body.at),
				email: body.email,
			});
			if (body.values)
				store.setValues(record.number, resolveValues(store, record, body.values, false), {
					at: record.depotAt,
					event: false,
				});
			return dossierView(store, record);
		},
		'POST /__sandbox/act/update': (body) => {
			const store = sandbox.store;
			const record = store.requireDossier(body.number);
			store.setValues(
				record.number,
				resolveValues(store, record, body.values, Boolean(body.annotations)),
				{ annotations: Boolean(body.annotations), at: timeArg(body.at) },
			);
			return dossierView(store, record);
		},
		'POST /__sandbox/act/late-commit': (body) => {
			const store = sandbox.store;
			const record = store.requireDossier(body.number);
			const behind = body.behindMs !== undefined ? Number(body.behindMs) : 1000;
			const served = store.lastServedModifiedAt.get(record.demarche);
			const at =
				timeArg(body.at) !== undefined
					? timeArg(body.at)
					: // never at or before the dossier's own last version: a row's updated_at only grows
						Math.max(record.depotAt, record.modifiedAt + 1, (served || store.now()) - behind);
			const values = body.values ? resolveValues(store, record, body.values, false) : {};
			if (Object.keys(values).length) store.setValues(record.number, values, { at });
			else {
				store.touch(record, { at });
				store.recordEvent('updated', record, { at, late: true });
			}
			return {
				...dossierView(store, record),
				lastServedModifiedAt: served ? new Date(served).toISOString() : null,
			};
		},
		'POST /__sandbox/act/state': (body) => {
			const store = sandbox.store;
			const previousState = store.changeState(body.number, body.state, {
				at: timeArg(body.at),
				motivation: body.motivation,
				instructeurEmail: body.instructeurEmail,
			});
			return { previousState, ...dossierView(store, store.requireDossier(body.number)) };
		},
		'POST /__sandbox/act/archive': (body) =>
			dossierView(
				sandbox.store,
				sandbox.store.setArchived(body.number, body.archived !== false, { at: timeArg(body.at) }),
			),
		'POST /__sandbox/act/delete': (body) => {
			const record = sandbox.store.deleteDossier(body.number, {
				pending: Boolean(body.pending),
				reason: body.reason,
				at: timeArg(body.at),
			});
			return { number: record.number, pending: Boolean(body.pending) };
		},
		'POST /__sandbox/act/refresh-etablissement': (body) => {
			const store = sandbox.store;
			const changed = store.refreshEtablissements(body.number, {
				etatAdministratif: body.etatAdministratif,
				at: timeArg(body.at),
			});
			return { changed, ...dossierView(store, store.requireDossier(body.number)) };
		},
		'POST /__sandbox/act/hide': (body) =>
			dossierView(
				sandbox.store,
				sandbox.store.hideDossier(body.number, {
					by: body.by,
					reason: body.reason,
					at: timeArg(body.at),
				}),
			),
		'POST /__sandbox/act/purge': (body) => {
			const store = sandbox.store;
			if (body.cron) return { purged: store.purgeDiscarded({ at: timeArg(body.at) }) };
			return { purged: [store.purgeDiscardedDossier(body.number, { at: timeArg(body.at) })] };
		},
		'POST /__sandbox/act/restore': (body) =>
			dossierView(sandbox.store, sandbox.store.restoreDossier(body.number, { by: body.by })),
		'POST /__sandbox/act/message': (body) => {
			const store = sandbox.store;
			const record = store.requireDossier(body.number);
			const attachments = [];
			if (body.attachment && body.attachment.byteSize !== undefined) {
				// A declared size without bytes (a file too big to make here, e.g. beyond 2 GiB):
				// its metadata is served, its download is not.
				const byteSize = Number(body.attachment.byteSize);
				if (!Number.isSafeInteger(byteSize) || byteSize < 0)
					throw httpError(
						400,
						`attachment.byteSize must be a whole number, not ${body.attachment.byteSize}`,
					);
				const key = `declared-${store.blobs.size + 1}-${byteSize}`;
				attachments.push({
					...fileRef(
						key,
						body.attachment.filename || 'piece-jointe.bin',
						body.attachment.contentType || 'application/octet-stream',
						byteSize,
						store.now(),
					),
					checksum: md5Base64(Buffer.from(key)),
				});
			} else if (body.attachment) {
				const buffer = Buffer.from(body.attachment.contentBase64 || '', 'base64');
				const key = `upload-${store.blobs.size + 1}-${buffer.length}`;
				const contentType = body.attachment.contentType || 'application/octet-stream';
				store.blobs.set(key, { buffer, contentType, filename: body.attachment.filename });
				attachments.push({
					...fileRef(
						key,
						body.attachment.filename || 'piece-jointe.bin',
						contentType,
						buffer.length,
						store.now(),
					),
					checksum: md5Base64(buffer),
				});
			}
			const email = body.email || store.content(record).usager.email;
			return store.addMessage(record.number, {
				body: String(body.body || ''),
				email,
				attachments,
				correction: body.correction,
				at: timeArg(body.at),
			});
		},
		'POST /__sandbox/act/attach': (body) => {
			// Files of any size (up to 2 GiB) without sending their bytes: seeded content, streamed.
			const store = sandbox.store;
			const record = store.requireDossier(body.number);
			const annotations = Boolean(body.annotation);
			const [stableId] = Object.keys(
				resolveValues(store, record, { [body.champ]: null }, annotations),
			);
			const revision = store.revisionOf(record);
			const desc = (annotations ? revision.annotations : revision.champs).find(
				(d) => d.stableId === Number(stableId),
			);
			if (desc.type !== 'piece_justificative')
				throw httpError(400, `"${body.champ}" is not a piece justificative champ`);
			const files = (Array.isArray(body.files) ? body.files : []).map((file, index) => {
				const byteSize = Number(file.byteSize);
				if (!Number.isInteger(byteSize) || byteSize < 0 || byteSize > 2 * 1024 ** 3)
					throw httpError(400, `files[${index}].byteSize must be an integer from 0 to 2 GiB`);
				store.attachedFiles = (store.attachedFiles || 0) + 1;
				const key = `att${record.number}-${stableId}-${store.attachedFiles}-${byteSize}`;
				// The platform computes a blob's checksum once, at upload: so does this route.
				return {
					...fileRef(
						key,
						String(file.filename || `piece-${index + 1}.pdf`),
						String(file.contentType || 'application/pdf'),
						byteSize,
						store.now(),
					),
					checksum: sandbox.files.md5(key),
				};
			});
			store.setValues(record.number, { [stableId]: files }, { annotations, at: timeArg(body.at) });
			return dossierView(store, record);
		},
		'GET /__sandbox/requests': (_b, _p, url) =>
			sandbox.log.list(url.searchParams.get('token'), sandbox.tokens),
		'DELETE /__sandbox/requests': () => {
			sandbox.log.clear();
			return { cleared: true };
		},
		'GET /__sandbox/storage-requests': () => sandbox.storageLog.entries,
		'DELETE /__sandbox/storage-requests': () => {
			sandbox.storageLog.clear();
			return { cleared: true };
		},
		'GET /__sandbox/events': (_b, _p, url) => {
			const since = Number(url.searchParams.get('since') || 0);
			return sandbox.store.events.filter((e) => e.sequence > since);
		},
		'GET /__sandbox/faults': () => sandbox.faults.queue,
		'POST /__sandbox/faults': (body) => sandbox.faults.add(body),
		'DELETE /__sandbox/faults': () => {
			sandbox.faults.clear();
			return { cleared: true };
		},
		'GET /__sandbox/throttle': () => sandbox.throttle.state(),
		'POST /__sandbox/throttle': (body) => {
			sandbox.throttle.configure({ limit: body.limit, periodSeconds: body.periodSeconds });
			return sandbox.throttle.state();
		},
		'GET /__sandbox/clock': () => sandbox.store.clock.state(),
		'POST /__sandbox/clock': (body) => {
			const clock = sandbox.store.clock;
			if (body.real) clock.real();
			if (body.set !== undefined) clock.set(timeArg(body.set));
			if (body.advanceMs !== undefined) clock.advance(Number(body.advanceMs));
			return clock.state();
		},
		'GET /__sandbox/pace': () => sandbox.pace,
		'POST /__sandbox/pace': (body) => {
			const delay = body.answerDelayMs === undefined ? 200 : Number(body.answerDelayMs);
			if (!Number.isFinite(delay) || delay < 0)
				throw httpError(400, 'answerDelayMs must be a number of milliseconds, 0 or more');
			sandbox.pace.answerDelayMs = delay;
			return sandbox.pace;
		},
		'GET /__sandbox/limits': () => sandbox.limits,
		'POST /__sandbox/limits': (body) => {
			if (body.maxComplexity !== undefined) {
				const max = Number(body.maxComplexity);
				if (!Number.isInteger(max) || max < 0)
					throw httpError(
						400,
						`maxComplexity must be a whole number (0 = no cap), not ${body.maxComplexity}`,
					);
				sandbox.limits.maxComplexity = max;
			}
			return sandbox.limits;
		},
		'GET /__sandbox/timeouts': () => sandbox.timeouts,
		'POST /__sandbox/timeouts': (body) => {
			const budget = body.budget === undefined ? sandbox.timeouts.budget : body.budget;
			if (budget !== null && !(Number.isFinite(Number(budget)) && Number(budget) >= 0))
				throw httpError(400, `budget must be a number of work units (>= 0) or null, not ${budget}`);
			const demarches = body.demarches === undefined ? sandbox.timeouts.demarches : body.demarches;
			if (demarches !== null && !Array.isArray(demarches))
				throw httpError(400, 'demarches must be a list of démarche numbers or null');
			sandbox.timeouts = {
				budget: budget === null ? null : Number(budget),
				demarches: demarches && demarches.map(Number),
			};
			return sandbox.timeouts;
		},
		'DELETE /__sandbox/timeouts': () => {
			sandbox.timeouts = { budget: null, demarches: null };
			return sandbox.timeouts;
		},
		'GET /__sandbox/modes': () => sandbox.modes,
		'POST /__sandbox/modes': (body) => {
			for (const key of ['forkMode', 'webhooksV2', 'olderServer'])
				if (body[key] !== undefined) sandbox.modes[key] = Boolean(body[key]);
			if (body.uploadBackend !== undefined)
				sandbox.modes.uploadBackend = body.uploadBackend === 'swift' ? 'swift' : 's3';
			return sandbox.modes;
		},
	};

	// Part 2's endpoints (notifications, webhooks, prefill): lib/routes.js.
	Object.assign(routes, require('./routes').controlRoutes(sandbox));

	const compiled = Object.entries(routes).map(([signature, handler]) => {
		const [method, pattern] = signature.split(' ');
		const names = [];
		const regex = new RegExp(
			`^${pattern.replace(/:(\w+)/g, (_m, name) => (names.push(name), '([^/]+)'))}$`,
		);
		return { method, regex, names, handler };
	});

	return async function control(req, url, body) {
		const pathname = url.pathname === '/__sandbox' ? '/__sandbox/' : url.pathname;
		for (const route of compiled) {
			if (route.method !== req.method) continue;
			const match = route.regex.exec(pathname);
			if (!match) continue;
			const params = {};
			route.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1])));
			try {
				return { status: 200, body: await route.handler(body || {}, params, url) };
			} catch (e) {
				return { status: e.status || 500, body: { error: e.message } };
			}
		}
		return { status: 404, body: { error: `No control endpoint ${req.method} ${url.pathname}` } };
	};
}

module.exports = { controlRoutes, resolveValues };
