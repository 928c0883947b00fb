//! Flow definitions: steps for roles in a DAG, with `{{...}}` templates
//! and small conditions (equality, `&&`, `||`, `!`; never `eval`).

use super::definition::{Profile, bad, bad_quoted, check_name, placed};
use crate::error::CoreResult;
use crate::fields::Fields;
use crate::json::{self, Json, quote};
use crate::text::find;

const MAX_STEPS: usize = 256;

#[derive(Debug)]
pub struct FlowDef {
    pub id: String,
    pub steps: Vec<StepDef>,
}

#[derive(Debug)]
pub struct StepDef {
    pub id: String,
    pub role: String,
    pub message: Vec<Piece>,
    /// Indices of the steps this one waits for.
    pub depends_on: Vec<usize>,
    pub condition: Option<Expr>,
    pub timeout_ms: Option<u64>,
    /// `outputFormat: "json"`: the answer is structured output.
    pub json: bool,
}

/// A template: literal text and references.
#[derive(Debug, PartialEq)]
pub enum Piece {
    Text(String),
    Ref(Path),
}

/// `params.a.b` or `steps.<id>.output.a.b` (the step by index).
#[derive(Debug, PartialEq)]
pub enum Path {
    Param(Vec<String>),
    Step(usize, Vec<String>),
}

#[derive(Debug, PartialEq)]
pub enum Expr {
    Lit(String),
    Ref(Path),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// `==` (or `!=` when the flag is false).
    Eq(Box<Expr>, Box<Expr>, bool),
}

/// What templates and conditions read: the run's params (JSON) and the
/// outputs of finished steps.
pub struct Scope<'a> {
    pub params: &'a str,
    pub outputs: &'a [Option<String>],
}

impl Scope<'_> {
    /// A reference's value as text (`""` when absent).
    pub fn lookup(&self, path: &Path) -> String {
        let (root, keys) = match path {
            Path::Param(keys) => (self.params, keys.as_slice()),
            Path::Step(i, keys) => {
                (self.outputs.get(*i).and_then(Option::as_deref).unwrap_or_default(), keys.as_slice())
            }
        };
        if keys.is_empty() {
            return root.to_string();
        }
        let Ok(value) = json::parse(root) else { return String::new() };
        let mut at = &value;
        for key in keys {
            match at.get(key) {
                Some(next) => at = next,
                None => return String::new(),
            }
        }
        match at {
            Json::Str(s) => s.to_string(),
            Json::Null => String::new(),
            other => other.to_text(),
        }
    }

    pub fn render(&self, template: &[Piece]) -> String {
        let mut out = String::new();
        for piece in template {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Ref(path) => out.push_str(&self.lookup(path)),
            }
        }
        out
    }

    pub fn eval(&self, expr: &Expr) -> String {
        let truth = |b: bool| if b { "true" } else { "false" }.to_string();
        match expr {
            Expr::Lit(text) => text.clone(),
            Expr::Ref(path) => self.lookup(path),
            Expr::Not(e) => truth(!truthy(&self.eval(e))),
            Expr::And(a, b) => truth(truthy(&self.eval(a)) && truthy(&self.eval(b))),
            Expr::Or(a, b) => truth(truthy(&self.eval(a)) || truthy(&self.eval(b))),
            Expr::Eq(a, b, equal) => truth((self.eval(a) == self.eval(b)) == *equal),
        }
    }
}

pub fn truthy(value: &str) -> bool {
    !matches!(value, "" | "false" | "0" | "null")
}

/// `flows: { [flowId]: { steps: [...] } }`; steps name `roles` (profiles).
pub fn definitions(value: &Json<'_>, roles: &[Profile]) -> CoreResult<Vec<FlowDef>> {
    let entries = value
        .as_object()
        .ok_or_else(|| bad("mob definition.flows must be an object: { [flowId]: { steps: [...] } }"))?;
    let mut flows = Vec::with_capacity(entries.len());
    for (id, flow) in entries {
        let path = format!("mob definition.flows.{id}");
        check_name(id, &path)?;
        let f = Fields::new(flow, "flow", &["steps", "description"], crate::error::ErrorCode::InvalidMobDefinition)
            .map_err(|e| placed(&path, "flow", e, ": "))?;
        let steps = f.get("steps").and_then(Json::as_array).unwrap_or_default();
        if steps.is_empty() || steps.len() > MAX_STEPS {
            return Err(bad(format!("{path}.steps must be an array of 1 to {MAX_STEPS} steps")));
        }
        let mut ids = Vec::with_capacity(steps.len());
        for step in steps {
            ids.push(step.get("id").and_then(Json::as_str).unwrap_or_default());
        }
        let at_step = |i: usize, e| placed(&format!("{path}.steps[{i}]"), "step", e, ": ");
        let mut defs = Vec::with_capacity(steps.len());
        for (i, step) in steps.iter().enumerate() {
            defs.push(step_def(step, &ids, roles).map_err(|e| at_step(i, e))?);
        }
        check_acyclic(&defs).map_err(|e| placed(&path, "flow", e, ": "))?;
        for (i, step) in defs.iter().enumerate() {
            check_refs(&defs, i, step).map_err(|e| at_step(i, e))?;
        }
        flows.push(FlowDef { id: id.to_string(), steps: defs });
    }
    Ok(flows)
}

fn step_def(value: &Json<'_>, ids: &[&str], roles: &[Profile]) -> CoreResult<StepDef> {
    let f = Fields::new(
        value,
        "step",
        &["id", "role", "message", "dependsOn", "condition", "timeoutMs", "outputFormat"],
        crate::error::ErrorCode::InvalidMobDefinition,
    )?;
    let id = f.req_str("id")?;
    check_name(id, "step.id")?;
    if ids.iter().filter(|other| **other == id).count() > 1 {
        return Err(bad_quoted("step.id ", id, " is used twice"));
    }
    let role = f.req_str("role")?;
    if !roles.iter().any(|p| p.name == role) {
        return Err(bad_quoted("step.role ", role, " is not a profile of the mob"));
    }
    let index = |name: &str| ids.iter().position(|i| *i == name);
    let mut depends_on = Vec::new();
    for dep in f.str_list("dependsOn")?.unwrap_or_default() {
        depends_on
            .push(index(&dep).ok_or_else(|| bad_quoted("step.dependsOn names ", &dep, ", no step of this flow"))?);
    }
    let json = match f.str("outputFormat")? {
        None | Some("text") => false,
        Some("json") => true,
        Some(other) => {
            return Err(bad(format!("step.outputFormat must be \"text\" or \"json\", got {}", quote(other))));
        }
    };
    let timeout_ms = match f.u64("timeoutMs")? {
        Some(ms) if ms == 0 || ms > 86_400_000 => return Err(bad("step.timeoutMs must be between 1 and 86400000")),
        other => other,
    };
    Ok(StepDef {
        id: id.to_string(),
        role: role.to_string(),
        message: template(f.req_str("message")?, &index)?,
        depends_on,
        condition: f.str("condition")?.map(|c| Parser::parse(c, &index)).transpose()?,
        timeout_ms,
        json,
    })
}

/// `text {{params.x}} more {{steps.a.output}}`.
pub fn template(text: &str, index: &impl Fn(&str) -> Option<usize>) -> CoreResult<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = find(rest, "{{") {
        let close = find(&rest[open..], "}}").ok_or_else(|| bad("step.message has a {{ without its }}"))? + open;
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_string()));
        }
        pieces.push(Piece::Ref(path(rest[open + 2..close].trim(), index)?));
        rest = &rest[close + 2..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_string()));
    }
    Ok(pieces)
}

fn path(text: &str, index: &impl Fn(&str) -> Option<usize>) -> CoreResult<Path> {
    let mut parts = text.split('.');
    let keys = |parts: core::str::Split<'_, char>| {
        let mut keys = Vec::new();
        for part in parts {
            keys.push(part.to_string());
        }
        keys
    };
    let wrong = || bad_quoted("step reference ", text, " must be params.<name> or steps.<id>.output");
    match parts.next() {
        Some("params") => {
            let keys = keys(parts);
            if keys.is_empty() || keys.iter().any(String::is_empty) {
                return Err(wrong());
            }
            Ok(Path::Param(keys))
        }
        Some("steps") => {
            let step = parts.next().ok_or_else(wrong)?;
            let at = index(step).ok_or_else(|| bad_quoted("step reference ", text, " names no step of this flow"))?;
            if parts.next() != Some("output") {
                return Err(wrong());
            }
            Ok(Path::Step(at, keys(parts)))
        }
        _ => Err(wrong()),
    }
}

/// Dependencies must form a DAG.
fn check_acyclic(steps: &[StepDef]) -> CoreResult<()> {
    let mut done = vec![false; steps.len()];
    for _ in 0..steps.len() {
        let mut progressed = false;
        for (i, step) in steps.iter().enumerate() {
            if !done[i] && step.depends_on.iter().all(|d| done[*d]) {
                done[i] = true;
                progressed = true;
            }
        }
        if !progressed {
            break;
        }
    }
    match done.iter().position(|d| !d) {
        None => Ok(()),
        Some(i) => Err(bad_quoted("flow steps depend on each other in a cycle (through step ", &steps[i].id, ")")),
    }
}

/// A step may read only the outputs of steps it (transitively) waits for.
fn check_refs(steps: &[StepDef], i: usize, step: &StepDef) -> CoreResult<()> {
    let mut ancestors = vec![false; steps.len()];
    let mut stack = step.depends_on.clone();
    while let Some(d) = stack.pop() {
        if !ancestors[d] {
            ancestors[d] = true;
            stack.extend(&steps[d].depends_on);
        }
    }
    let mut refs = Vec::new();
    for piece in &step.message {
        if let Piece::Ref(Path::Step(at, _)) = piece {
            refs.push(*at);
        }
    }
    if let Some(condition) = &step.condition {
        condition_refs(condition, &mut refs);
    }
    for at in refs {
        if at == i || !ancestors[at] {
            return Err(bad_quoted(
                "step reads the output of step ",
                &steps[at].id,
                ", which it does not depend on (add it to dependsOn)",
            ));
        }
    }
    Ok(())
}

fn condition_refs(expr: &Expr, out: &mut Vec<usize>) {
    match expr {
        Expr::Ref(Path::Step(at, _)) => out.push(*at),
        Expr::Not(e) => condition_refs(e, out),
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Eq(a, b, _) => {
            condition_refs(a, out);
            condition_refs(b, out);
        }
        _ => {}
    }
}

/// Recursive descent over `||` < `&&` < `!` < `==`/`!=` < atoms.
pub(crate) struct Parser<'t, 'i, F> {
    tokens: Vec<&'t str>,
    at: usize,
    index: &'i F,
}

const MAX_CONDITION_BYTES: usize = 4096;

impl<'t, F: Fn(&str) -> Option<usize>> Parser<'t, '_, F> {
    pub(crate) fn parse(text: &'t str, index: &F) -> CoreResult<Expr> {
        if text.len() > MAX_CONDITION_BYTES {
            return Err(bad(format!("step.condition is longer than {MAX_CONDITION_BYTES} bytes")));
        }
        let mut p = Parser { tokens: tokens(text)?, at: 0, index };
        let expr = p.or(0)?;
        match p.tokens.get(p.at) {
            None => Ok(expr),
            Some(extra) => Err(bad_quoted("step.condition has ", extra, " where it should end")),
        }
    }

    fn next(&mut self) -> Option<&'t str> {
        let token = self.tokens.get(self.at).copied();
        self.at += 1;
        token
    }

    fn eat(&mut self, token: &str) -> bool {
        let found = self.tokens.get(self.at) == Some(&token);
        self.at += usize::from(found);
        found
    }

    fn or(&mut self, depth: u32) -> CoreResult<Expr> {
        if depth > 32 {
            return Err(bad("step.condition is nested too deeply"));
        }
        let mut left = self.and(depth)?;
        while self.eat("||") {
            left = Expr::Or(Box::new(left), Box::new(self.and(depth)?));
        }
        Ok(left)
    }

    fn and(&mut self, depth: u32) -> CoreResult<Expr> {
        let mut left = self.unary(depth)?;
        while self.eat("&&") {
            left = Expr::And(Box::new(left), Box::new(self.unary(depth)?));
        }
        Ok(left)
    }

    fn unary(&mut self, depth: u32) -> CoreResult<Expr> {
        if self.eat("!") {
            return Ok(Expr::Not(Box::new(self.unary(depth + 1)?)));
        }
        let left = self.atom(depth)?;
        let equal = self.eat("==");
        if equal || self.eat("!=") {
            return Ok(Expr::Eq(Box::new(left), Box::new(self.atom(depth)?), equal));
        }
        Ok(left)
    }

    fn atom(&mut self, depth: u32) -> CoreResult<Expr> {
        let token = self.next().ok_or_else(|| bad("step.condition ends too early"))?;
        if token == "(" {
            let inner = self.or(depth + 1)?;
            return if self.eat(")") { Ok(inner) } else { Err(bad("step.condition has a ( without its )")) };
        }
        if let Some(quoted) = token.strip_prefix(['"', '\'']) {
            return Ok(Expr::Lit(quoted[..quoted.len().saturating_sub(1)].to_string()));
        }
        if matches!(token, "true" | "false" | "null")
            || token.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        {
            return Ok(Expr::Lit(token.to_string()));
        }
        if token.starts_with("params.") || token.starts_with("steps.") {
            return Ok(Expr::Ref(path(token, self.index)?));
        }
        Err(bad_quoted("step.condition has ", token, ": expected a value, params.<name> or steps.<id>.output"))
    }
}

fn tokens(text: &str) -> CoreResult<Vec<&str>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let two = text.get(i..i + 2).unwrap_or_default();
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            _ if matches!(two, "==" | "!=" | "&&" | "||") => i += 2,
            b'!' | b'(' | b')' => i += 1,
            quote_char @ (b'"' | b'\'') => {
                let close = text[i + 1..]
                    .find(quote_char as char)
                    .ok_or_else(|| bad("step.condition has an unclosed string"))?;
                i += close + 2;
            }
            _ => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || b"._-".contains(&bytes[i])) {
                    i += 1;
                }
                if i == start {
                    let shown = crate::text::first_chars(&text[start..], 1);
                    return Err(bad_quoted("step.condition has an unexpected ", shown, ""));
                }
            }
        }
        out.push(&text[start..i]);
    }
    Ok(out)
}
