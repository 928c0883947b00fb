//! Reading typed fields out of a JSON object with messages that say what to
//! fix: the field's name, what it must be, and what it was.

use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::json::{Json, decimal_scaled, quote};

pub struct Fields<'j, 'a> {
    value: &'j Json<'a>,
    what: &'static str,
    code: ErrorCode,
}

impl<'j, 'a> Fields<'j, 'a> {
    /// `value` must be an object whose keys are all in `allowed`.
    pub fn new(value: &'j Json<'a>, what: &'static str, allowed: &[&str], code: ErrorCode) -> CoreResult<Self> {
        let Some(members) = value.as_object() else {
            return Err(CoreError::new(code, format!("{what} must be an object, got {}", value.kind())));
        };
        if let Some((key, _)) = members.iter().find(|(k, _)| !allowed.contains(&k.as_ref())) {
            let shown = crate::text::first_chars(key, 64);
            return Err(CoreError::new(
                code,
                format!(
                    "{what} has an unknown field {}; expected one of: {}",
                    quote(shown),
                    crate::text::join(allowed, ", ")
                ),
            ));
        }
        Ok(Fields { value, what, code })
    }

    /// The error code this reader reports with.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// What the object is called in messages.
    pub fn what(&self) -> &'static str {
        self.what
    }

    fn wrong(&self, key: &str, expected: &str, got: &Json<'_>) -> CoreError {
        // A number is quoted (it says what is wrong with it); other values by kind only.
        let got = match got {
            Json::Num(n) if n.len() <= 32 => n,
            other => other.kind(),
        };
        CoreError::new(self.code, format!("{}.{key} must be {expected}, got {got}", self.what))
    }

    /// The member, treating `null` as absent.
    pub fn get(&self, key: &str) -> Option<&'j Json<'a>> {
        self.value.get(key).filter(|v| !v.is_null())
    }

    pub fn str(&self, key: &str) -> CoreResult<Option<&'j str>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.as_str().map(Some).ok_or_else(|| self.wrong(key, "a string", v)),
        }
    }

    pub fn string(&self, key: &str) -> CoreResult<Option<String>> {
        Ok(self.str(key)?.map(str::to_string))
    }

    pub fn req_str(&self, key: &str) -> CoreResult<&'j str> {
        self.str(key)?
            .ok_or_else(|| CoreError::new(self.code, format!("{} needs a string field {}", self.what, quote(key))))
    }

    pub fn u64(&self, key: &str) -> CoreResult<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Json::Num(n)) if n.bytes().all(|b| b.is_ascii_digit()) && n.parse::<u64>().is_err() => {
                Err(CoreError::new(self.code, format!("{}.{key} is too large", self.what)))
            }
            Some(v) => v.as_u64().map(Some).ok_or_else(|| self.wrong(key, "a non-negative integer", v)),
        }
    }

    pub fn req_u64(&self, key: &str) -> CoreResult<u64> {
        self.u64(key)?
            .ok_or_else(|| CoreError::new(self.code, format!("{} needs an integer field {}", self.what, quote(key))))
    }

    pub fn u32(&self, key: &str) -> CoreResult<Option<u32>> {
        match self.u64(key)? {
            None => Ok(None),
            Some(n) => u32::try_from(n)
                .map(Some)
                .map_err(|_| CoreError::new(self.code, format!("{}.{key} must be at most {}", self.what, u32::MAX))),
        }
    }

    /// A plain decimal number times `multiplier` (see `json::decimal_scaled`).
    pub fn decimal(&self, key: &str, multiplier: u64) -> CoreResult<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v @ Json::Num(n)) => decimal_scaled(n, multiplier)
                .map(Some)
                .ok_or_else(|| self.wrong(key, "a plain non-negative decimal", v)),
            Some(v) => Err(self.wrong(key, "a number", v)),
        }
    }

    pub fn bool(&self, key: &str) -> CoreResult<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.as_bool().map(Some).ok_or_else(|| self.wrong(key, "a boolean", v)),
        }
    }

    pub fn str_list(&self, key: &str) -> CoreResult<Option<Vec<String>>> {
        let Some(v) = self.get(key) else { return Ok(None) };
        let items = v.as_array().ok_or_else(|| self.wrong(key, "an array of strings", v))?;
        let mut list = Vec::with_capacity(items.len());
        for item in items {
            list.push(item.as_str().ok_or_else(|| self.wrong(key, "an array of strings", item))?.to_string());
        }
        Ok(Some(list))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    #[test]
    fn messages_name_the_field() {
        let v = parse(r#"{"a":"x","n":-1,"big":5000000000,"l":["a",1]}"#).unwrap();
        let f = Fields::new(&v, "cfg", &["a", "n", "big", "l"], ErrorCode::InvalidConfig).unwrap();
        assert_eq!(f.str("a").unwrap(), Some("x"));
        assert_eq!(f.u64("n").unwrap_err().message, "cfg.n must be a non-negative integer, got -1");
        let frac = parse(r#"{"n":1.5,"s":"secret"}"#).unwrap();
        let f3 = Fields::new(&frac, "cfg", &["n", "s"], ErrorCode::InvalidConfig).unwrap();
        assert_eq!(f3.u64("n").unwrap_err().message, "cfg.n must be a non-negative integer, got 1.5");
        // A string is never quoted back (it may be a key given in the wrong field).
        assert_eq!(f3.u64("s").unwrap_err().message, "cfg.s must be a non-negative integer, got a string");
        assert!(f.u32("big").unwrap_err().message.contains("at most"));
        let huge = parse(r#"{"n":100000000000000000000}"#).unwrap();
        let f2 = Fields::new(&huge, "cfg", &["n"], ErrorCode::InvalidConfig).unwrap();
        assert_eq!(f2.u64("n").unwrap_err().message, "cfg.n is too large");
        assert_eq!(f.u64("big").unwrap(), Some(5_000_000_000));
        assert!(f.str_list("l").is_err());
        assert!(f.req_str("missing").unwrap_err().message.contains("\"missing\""));
        let e = Fields::new(&v, "cfg", &["a"], ErrorCode::InvalidConfig).err().unwrap();
        assert!(e.message.contains("unknown field \"n\""));
        assert!(Fields::new(&parse("[]").unwrap(), "cfg", &[], ErrorCode::InvalidConfig).is_err());
    }
}
