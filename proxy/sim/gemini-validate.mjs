// Request-body validation for the simulated Gemini API. Messages imitate the
// API's INVALID_ARGUMENT texts (`* GenerateContentRequest.<path>: ...`).
import { isRecord } from './conversation.mjs';

/** @typedef {import('./simulate.mjs').Problem} Problem */

const FUNCTION_NAME = /^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/;
const MIME_TYPES = ['text/plain', 'application/json', 'application/xml', 'application/yaml', 'text/x.enum'];

/**
 * Reads a proto3-JSON field under its lowerCamelCase name or its snake_case
 * original (the API accepts both).
 * @param {unknown} value
 * @param {string} name lowerCamelCase
 * @returns {any}
 */
export function field(value, name) {
  if (!isRecord(value)) return undefined;
  return value[name] ?? value[name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

/**
 * @param {Record<string, any>} content
 * @param {string} kind "functionCall" or "functionResponse"
 */
const partsWith = (content, kind) => (Array.isArray(content.parts) ? content.parts.filter((p) => field(p, kind) !== undefined) : []);

/**
 * Function responses must answer the function-call turn just before, one
 * response per call.
 * @param {Record<string, any>[]} contents
 * @returns {string | null}
 */
function checkFunctionTurns(contents) {
  for (const [i, content] of contents.entries()) {
    const responses = partsWith(content, 'functionResponse').length;
    if (responses === 0) continue;
    const previous = contents[i - 1];
    const calls = previous && previous.role === 'model' ? partsWith(previous, 'functionCall').length : 0;
    if (calls === 0) return 'Please ensure that function response turn comes immediately after a function call turn.';
    if (calls !== responses) {
      return 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';
    }
  }
  return null;
}

/**
 * The major version in a Gemini model name ("gemini-2.5-flash" → 2,
 * "gemini-3-pro-preview" → 3); undefined when the name has none
 * ("gemini-flash-latest").
 * @param {string} model
 * @returns {number | undefined}
 */
function geminiMajorVersion(model) {
  const match = /^(?:models\/)?gemini-(\d+)(?:\.\d+)?(?:-|$)/i.exec(model);
  return match ? Number(match[1]) : undefined;
}

/**
 * JSON mode next to function declarations: models before Gemini 3 reject the
 * combination (structured output with tools arrived with Gemini 3), so a
 * client that sends it to gemini-2.5-flash must see the same 400 here.
 * @param {Record<string, any>} body
 * @param {string} model
 * @returns {string | null}
 */
function checkJsonModeWithFunctions(body, model) {
  if (field(field(body, 'generationConfig'), 'responseMimeType') !== 'application/json') return null;
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const declares = tools.some((tool) => {
    const declarations = field(tool, 'functionDeclarations');
    return Array.isArray(declarations) && declarations.length > 0;
  });
  const major = geminiMajorVersion(model);
  if (!declares || major === undefined || major >= 3) return null;
  return "Function calling with a response mime type: 'application/json' is unsupported";
}

/**
 * Gemini 3 refuses a replayed function call that lost its thoughtSignature:
 * in the current turn (everything after the last user content that is not
 * only function responses), the first functionCall part of each model
 * content must carry the signature it streamed with.
 * https://ai.google.dev/gemini-api/docs/thought-signatures
 * @param {Record<string, any>[]} contents
 * @param {string} model
 * @returns {string | null}
 */
function checkThoughtSignatures(contents, model) {
  const major = geminiMajorVersion(model);
  if (major === undefined || major < 3) return null;
  const isAnswer = (part) => field(part, 'functionResponse') !== undefined;
  const start = contents.findLastIndex((c) => c.role !== 'model' && !c.parts.every(isAnswer));
  for (const content of contents.slice(start + 1)) {
    if (content.role !== 'model') continue;
    const position = content.parts.findIndex((p) => field(p, 'functionCall') !== undefined);
    const first = content.parts[position];
    if (first && typeof field(first, 'thoughtSignature') !== 'string') {
      return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${field(first, 'functionCall').name}\` , position ${position + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`;
    }
  }
  return null;
}

/**
 * The API's answer to a JSON value of the wrong type for a proto field.
 * @param {string} where the field's path, snake_case
 * @param {string} type what the API names the expected type: a proto
 *   message ("Part") or a scalar ("TYPE_STRING")
 * @param {unknown} value
 */
function invalidValue(where, type, value) {
  const shown = typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'list' : isRecord(value) ? 'object' : String(value);
  const expected = type.startsWith('TYPE_') ? type : `type.googleapis.com/google.ai.generativelanguage.v1beta.${type}`;
  return `Invalid JSON payload received. Invalid value at '${where}' (${expected}), ${shown}`;
}

/**
 * A part must be an object; its `text`, when given, a string.
 * @param {unknown} part
 * @param {string} where
 * @returns {string | null}
 */
function checkPart(part, where) {
  if (!isRecord(part)) return invalidValue(where, 'Part', part);
  if (part.text !== undefined && typeof part.text !== 'string') return invalidValue(`${where}.text`, 'TYPE_STRING', part.text);
  return null;
}

/**
 * @param {unknown} body parsed JSON
 * @param {string} [model] from the path; decides what the model supports
 * @returns {string | null}
 */
export function validateGenerateBody(body, model = '') {
  if (!isRecord(body)) return 'Invalid JSON payload received. Expected an object.';
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified\n';
  for (const [i, content] of contents.entries()) {
    if (!isRecord(content)) return `Invalid JSON payload received. Unknown name at 'contents[${i}]': Proto field is not repeating, cannot start list.`;
    if (content.role !== undefined && content.role !== 'user' && content.role !== 'model') return 'Please use a valid role: user, model.';
    if (!Array.isArray(content.parts) || content.parts.length === 0) {
      return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.\n`;
    }
    for (const [k, part] of content.parts.entries()) {
      const problem = checkPart(part, `contents[${i}].parts[${k}]`);
      if (problem) return problem;
      const call = field(part, 'functionCall');
      if (call !== undefined && (!isRecord(call) || typeof call.name !== 'string')) {
        return `* GenerateContentRequest.contents[${i}].parts[${k}].function_call.name: Name cannot be empty.\n`;
      }
      const response = field(part, 'functionResponse');
      if (response !== undefined && (!isRecord(response) || typeof response.name !== 'string')) {
        return `* GenerateContentRequest.contents[${i}].parts[${k}].function_response.name: Name cannot be empty.\n`;
      }
    }
  }
  const system = field(body, 'systemInstruction');
  if (isRecord(system) && Array.isArray(system.parts)) {
    for (const [k, part] of system.parts.entries()) {
      const problem = checkPart(part, `system_instruction.parts[${k}]`);
      if (problem) return problem;
    }
  }
  for (const [i, tool] of (Array.isArray(body.tools) ? body.tools : []).entries()) {
    const declarations = field(tool, 'functionDeclarations');
    if (declarations !== undefined && declarations !== null && !Array.isArray(declarations)) {
      return invalidValue(`tools[${i}].function_declarations`, 'FunctionDeclaration', declarations);
    }
    for (const [k, declaration] of (Array.isArray(declarations) ? declarations : []).entries()) {
      if (!isRecord(declaration) || typeof declaration.name !== 'string' || !FUNCTION_NAME.test(declaration.name)) {
        return `* GenerateContentRequest.tools[${i}].function_declarations[${k}].name: Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum length of 64.\n`;
      }
    }
  }
  const mime = field(field(body, 'generationConfig'), 'responseMimeType');
  if (mime !== undefined && !MIME_TYPES.includes(mime)) {
    return '* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are `text/plain`, `application/json`, `application/xml`, `application/yaml` and `text/x.enum`.\n';
  }
  return checkFunctionTurns(contents) ?? checkThoughtSignatures(contents, model) ?? checkJsonModeWithFunctions(body, model);
}
