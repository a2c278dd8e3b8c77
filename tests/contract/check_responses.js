// tests/contract/check_responses.js: checks recorded HTTP exchanges against openapi/openapi.yaml.
//
// Usage: node check_responses.js <openapi.yaml> <exchanges.jsonl>
// Each input line is one exchange the integration suite had with frontdesk:
//   {"test", "method", "path" (with its query), "status", "headers": {lower-case name: value}, "body": text}
// For each, the operation is found by method and path (openapi-backend's router), then the answer must match it:
// the status is declared (or the path's 405, or 404 for an unlisted path), the content type is one the response
// declares, a JSON body validates against its schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 says), every
// declared header validates and every required one is present, and every header the service adds that is not
// HTTP plumbing is declared. Prints one line per drift naming the test, route, status and field; exits 1 when
// there is any, 0 when every exchange matches, 2 when the input cannot be read.
'use strict';

const fs = require('fs');
const { OpenAPIBackend } = require('openapi-backend');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

// Headers any HTTP answer may carry; every other header frontdesk sends is part of the contract and must be declared.
const PLUMBING = new Set(['date', 'server', 'connection', 'keep-alive', 'content-length', 'content-type',
    'transfer-encoding', 'vary', 'cache-control', 'cross-origin-resource-policy', 'x-content-type-options',
    'content-security-policy']);
const OPENAPI_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password'];

function makeAjv(opts) {
    const ajv = new Ajv2020({ ...opts, strict: false, allErrors: true });
    addFormats(ajv);
    for (const name of OPENAPI_FORMATS) ajv.addFormat(name, true);
    return ajv;
}

function pathTemplates(definition) {
    return Object.keys(definition.paths || {}).map((template) => ({
        template,
        re: new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '$'),
    }));
}

function contentTypeOf(headers) {
    return (headers['content-type'] || '').split(';')[0].trim().toLowerCase();
}

function declaredContent(response, ctype) {
    const content = response.content || {};
    if (content[ctype]) return content[ctype];
    const wild = ctype.split('/')[0] + '/*';
    return content[wild] || content['*/*'] || null;
}

function findStatus(responses, status) {
    return responses[String(status)] || responses[Math.floor(status / 100) + 'XX'] || responses.default || null;
}

function ajvText(errors) {
    return errors.slice(0, 4).map((e) => `${e.instancePath || '(body)'} ${e.message}` +
        (e.params && e.params.additionalProperty ? ` '${e.params.additionalProperty}'` : '') +
        (e.params && e.params.allowedValues ? ` ${JSON.stringify(e.params.allowedValues)}` : '')).join('; ');
}

// The drifts of one exchange, as sentences (empty when it matches the contract).
function checkExchange(api, templates, bodyCheck, x) {
    const drifts = [];
    const [path, query] = x.path.split('?');
    // HEAD is GET without the body (RFC 9110): a path's GET operation describes its HEAD answers.
    const method = x.method === 'HEAD' ? 'get' : x.method.toLowerCase();
    const matched = templates.find((t) => t.re.test(path));
    let response;
    let op = null;
    if (!matched) {
        if (x.status !== 404) return [`the path is not in the contract but answered ${x.status} (only 404 is)`];
        response = api.definition.components.responses.NotFound;
    } else {
        const item = api.definition.paths[matched.template];
        op = item[method] ? api.router.matchOperation({ method, path, query: query || '', headers: x.headers }) : null;
        if (op && x.method === 'HEAD' && !(op.responses || {})[String(x.status)] && x.status !== 405) op = null;
        if (op) {
            response = findStatus(op.responses || {}, x.status);
        } else if (x.method === 'OPTIONS') {  // a CORS preflight of a path widget keys may not use (or not one)
            const preflight = { 403: 'PreflightRefused', 405: 'MethodNotAllowed' }[x.status];
            response = preflight && api.definition.components.responses[preflight];
        } else {  // a method the path does not list: one of its operations must declare the answer (405)
            for (const other of Object.keys(item)) {
                const responses = item[other] && item[other].responses;
                if (responses) response = response || findStatus(responses, x.status);
            }
            // x-any-method-404: a path whose secret segment is checked before its method (the GHL webhook paths):
            // a wrong secret is 404 whatever the method, so nothing tells a wrong path from a wrong method
            const secret404 = item['x-any-method-404'] && x.status === 404;
            if (x.status !== 405 && !secret404) drifts.push(`method ${x.method} is not listed but answered ${x.status}`);
        }
        if (!response) return drifts.concat(`status ${x.status} is not declared`);
    }
    const ctype = contentTypeOf(x.headers);
    const hasBody = x.body !== undefined && x.body !== null && x.body.length > 0 && x.method !== 'HEAD';
    if (hasBody) {
        const content = declaredContent(response, ctype);
        if (!content) {
            const declaredTypes = Object.keys(response.content || {}).join(', ') || 'no body';
            drifts.push(`content type '${ctype}' is not declared (declared: ${declaredTypes})`);
        } else if (content.schema && (ctype === 'application/json' || ctype.endsWith('+json'))) {
            let parsed;
            try {
                parsed = JSON.parse(x.body);
            } catch (e) {
                drifts.push(`body is not JSON: ${e.message}`);
            }
            if (parsed !== undefined && op && ctype === 'application/json') {  // openapi-backend's response validator
                const result = api.validator.validateResponse(parsed, op, x.status);
                if (!result.valid) drifts.push(`body: ${ajvText(result.errors)}`);
            } else if (parsed !== undefined) {  // a 404 or 405 outside any operation, or a +json type
                const validate = bodyCheck(content.schema);
                if (!validate(parsed)) drifts.push(`body: ${ajvText(validate.errors)}`);
            }
        }
    } else if (response.content && Object.keys(response.content).length && x.method !== 'HEAD' && x.status !== 304) {
        drifts.push('no body, but the contract declares one');
    }
    const declared = {};
    // x-every-response-headers (top level of openapi.yaml): headers every answer carries, declared once
    const every = api.definition['x-every-response-headers'] || {};
    for (const [name, header] of Object.entries(every)) declared[name.toLowerCase()] = { ...header, global: true };
    for (const [name, header] of Object.entries(response.headers || {})) declared[name.toLowerCase()] = header;
    if (op) {  // declared headers' schemas, by openapi-backend's header validator
        const result = api.validator.validateResponseHeaders(x.headers, op, { statusCode: x.status });
        if (!result.valid) drifts.push(`headers: ${ajvText(result.errors)}`);
    }
    for (const [name, value] of Object.entries(x.headers)) {
        if (name.startsWith('access-control-') || PLUMBING.has(name)) continue;
        if (!declared[name]) {
            drifts.push(`header '${name}' is not declared`);
        } else if ((!op || declared[name].global) && declared[name].schema) {
            const validate = bodyCheck(declared[name].schema, true);
            if (!validate(value)) drifts.push(`header '${name}': ${ajvText(validate.errors)}`);
        }
    }
    for (const [name, header] of Object.entries(declared)) {
        if (header.required && x.headers[name] === undefined) drifts.push(`required header '${name}' is missing`);
    }
    return drifts;
}

async function main() {
    const [specPath, exchangesPath] = process.argv.slice(2);
    if (!specPath || !exchangesPath) {
        console.error('usage: node check_responses.js <openapi.yaml> <exchanges.jsonl>');
        process.exit(2);
    }
    const api = new OpenAPIBackend({ definition: specPath, quick: true, strict: true,
        customizeAjv: (ajv, opts) => makeAjv(opts) });
    await api.init();
    const templates = pathTemplates(api.definition);
    const ajvBody = makeAjv({});
    const ajvHeader = makeAjv({ coerceTypes: true });
    const compiled = new Map();
    const bodyCheck = (schema, header) => {
        const key = schema;
        const cache = header ? 'h' : 'b';
        if (!compiled.has(key)) compiled.set(key, {});
        const slot = compiled.get(key);
        if (!slot[cache]) slot[cache] = (header ? ajvHeader : ajvBody).compile(schema);
        return slot[cache];
    };
    const lines = fs.readFileSync(exchangesPath, 'utf8').split('\n').filter((l) => l.trim());
    let bad = 0;
    for (const line of lines) {
        const x = JSON.parse(line);
        const drifts = checkExchange(api, templates, bodyCheck, x);
        if (drifts.length) {
            bad++;
            console.log(`${x.test}: ${x.method} ${x.path.split('?')[0]} -> ${x.status}: ${drifts.join(' | ')}`);
        }
    }
    console.log(`contract: ${lines.length} exchanges checked, ${bad} drifted from openapi/openapi.yaml`);
    process.exit(bad ? 1 : 0);
}

main().catch((e) => {
    console.error(`contract check failed: ${e.stack || e}`);
    process.exit(2);
});
