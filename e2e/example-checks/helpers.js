'use strict';
// Shared by the example checks: reading what the examples produced (CSV, ZIP) and what the platform
// holds (its dossiers as the control API stores them, its GraphQL answers with the admin token).

const zlib = require('node:zlib');
const { platformQuery } = require('../lib/checks');

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF). Returns rows of strings. */
function parseCsv(text) {
	const rows = [];
	let row = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (c === '"') quoted = false;
			else field += c;
		} else if (c === '"') quoted = true;
		else if (c === ',') {
			row.push(field);
			field = '';
		} else if (c === '\n' || c === '\r') {
			if (c === '\r' && text[i + 1] === '\n') i++;
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
		} else field += c;
	}
	if (field || row.length) {
		row.push(field);
		rows.push(row);
	}
	return rows;
}

/** CSV text → objects keyed by the header row. */
function csvRecords(text) {
	const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
	return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

/**
 * The entries of a ZIP archive read from its central directory: [{name, bytes}] (stored or
 * deflated entries; what n8n's Compression node writes).
 */
function unzip(buffer) {
	let eocd = buffer.length - 22;
	while (eocd >= 0 && buffer.readUInt32LE(eocd) !== 0x06054b50) eocd--;
	if (eocd < 0) throw new Error('not a ZIP archive (no end of central directory)');
	const count = buffer.readUInt16LE(eocd + 10);
	let at = buffer.readUInt32LE(eocd + 16);
	const entries = [];
	for (let n = 0; n < count; n++) {
		if (buffer.readUInt32LE(at) !== 0x02014b50) throw new Error('damaged ZIP central directory');
		const method = buffer.readUInt16LE(at + 10);
		const compressedSize = buffer.readUInt32LE(at + 20);
		const nameLength = buffer.readUInt16LE(at + 28);
		const extraLength = buffer.readUInt16LE(at + 30);
		const commentLength = buffer.readUInt16LE(at + 32);
		const localHeader = buffer.readUInt32LE(at + 42);
		const name = buffer.toString('utf8', at + 46, at + 46 + nameLength);
		const dataStart =
			localHeader +
			30 +
			buffer.readUInt16LE(localHeader + 26) +
			buffer.readUInt16LE(localHeader + 28);
		const raw = buffer.subarray(dataStart, dataStart + compressedSize);
		if (method !== 0 && method !== 8) throw new Error(`ZIP entry ${name}: method ${method}`);
		entries.push({ name, bytes: method === 8 ? zlib.inflateRawSync(raw) : raw });
		at += 46 + nameLength + extraLength + commentLength;
	}
	return entries;
}

/** A dossier as the sandbox stores it (control API): header and champs' stringValues. */
async function storedDossier(platform, number) {
	const res = await fetch(`${platform.controlUrl}/dossiers/${number}`);
	if (!res.ok) throw new Error(`sandbox GET /dossiers/${number}: HTTP ${res.status}`);
	return res.json();
}

/** The stored stringValue of the champ with this label (first one when labels repeat). */
function champValue(stored, label) {
	const champ = stored.champs.find((c) => c.label === label);
	if (!champ) throw new Error(`dossier ${stored.number} has no champ "${label}"`);
	return champ.stringValue;
}

/** Every message of a dossier as the platform gives it to the admin token. */
async function platformMessages(platform, number) {
	const { dossier } = await platformQuery(
		platform,
		`query Messages($number: Int!) {
			dossier(number: $number) { messages { email body attachments { filename checksum contentType } } }
		}`,
		{ number },
	);
	return dossier.messages;
}

module.exports = { parseCsv, csvRecords, unzip, storedDossier, champValue, platformMessages };
