//! A map on a sorted `Vec`: binary-search lookups with a fraction of
//! `BTreeMap`'s code size (it matters in wasm), and ordered iteration.
//! Keys and values live in separate vectors, so the search is compiled
//! once per key type rather than once per map.

#[derive(Debug)]
pub struct SortedMap<K, V> {
    keys: Vec<K>,
    /// `values[i]` belongs to `keys[i]`.
    values: Vec<V>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap { keys: Vec::new(), values: Vec::new() }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: core::borrow::Borrow<Q>,
    {
        self.keys.binary_search_by(|k| k.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: core::borrow::Borrow<Q>,
    {
        let at = self.find(key).ok()?;
        self.values.get(at)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: core::borrow::Borrow<Q>,
    {
        let at = self.find(key).ok()?;
        self.values.get_mut(at)
    }

    /// [`get_mut`](Self::get_mut), trying `*hint` (where `key` was last
    /// found) before searching; `*hint` becomes where it is.
    pub fn get_mut_hinted(&mut self, key: &K, hint: &mut usize) -> Option<&mut V> {
        if self.keys.get(*hint) != Some(key) {
            *hint = self.find(key).ok()?;
        }
        self.values.get_mut(*hint)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: core::borrow::Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Insert or replace.
    pub fn insert(&mut self, key: K, value: V) {
        match self.find(&key) {
            Ok(at) => {
                if let Some(slot) = self.values.get_mut(at) {
                    *slot = value;
                }
            }
            Err(at) => {
                self.keys.insert(at, key);
                self.values.insert(at, value);
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: core::borrow::Borrow<Q>,
    {
        let at = self.find(key).ok()?;
        self.keys.remove(at);
        Some(self.values.remove(at))
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.keys.iter()
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.values.iter()
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.values.iter_mut()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.keys.iter().zip(&self.values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_map() {
        let mut m = SortedMap::default();
        for k in [5u32, 1, 9, 3] {
            m.insert(k, k * 10);
        }
        m.insert(3, 31);
        assert_eq!(m.keys().copied().collect::<Vec<_>>(), [1, 3, 5, 9]);
        assert_eq!(m.get(&3), Some(&31));
        assert_eq!(m.remove(&5), Some(50));
        assert_eq!(m.remove(&5), None);
        assert!(!m.contains_key(&5));
        *m.get_mut(&9).unwrap() += 1;
        assert_eq!(m.get(&9), Some(&91));
        assert_eq!(m.len(), 3);
        let mut s: SortedMap<String, u8> = SortedMap::default();
        s.insert("b".into(), 1);
        assert_eq!(s.get("b"), Some(&1));
    }
}
