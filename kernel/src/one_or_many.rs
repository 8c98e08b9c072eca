//! A boxed slice that keeps a single item inline. Nearly every process job
//! has one member, and a box for each of its per-member fields made a
//! tenth of the memory a live job holds.

use std::ops::{Deref, DerefMut};

/// A slice of one item held inline, or of any other count boxed.
#[derive(Clone, Debug)]
pub(crate) enum OneOrMany<T> {
    One([T; 1]),
    Many(Box<[T]>),
}

impl<T> From<Vec<T>> for OneOrMany<T> {
    fn from(mut items: Vec<T>) -> Self {
        match (items.len(), items.pop()) {
            (1, Some(only)) => OneOrMany::One([only]),
            (_, last) => {
                items.extend(last);
                OneOrMany::Many(items.into_boxed_slice())
            }
        }
    }
}

impl<T> FromIterator<T> for OneOrMany<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        iter.into_iter().collect::<Vec<T>>().into()
    }
}

impl<T> Deref for OneOrMany<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match self {
            OneOrMany::One(one) => one,
            OneOrMany::Many(many) => many,
        }
    }
}

impl<T> DerefMut for OneOrMany<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            OneOrMany::One(one) => one,
            OneOrMany::Many(many) => many,
        }
    }
}

impl<'a, T> IntoIterator for &'a OneOrMany<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::OneOrMany;

    #[test]
    fn holds_any_count_in_order() {
        for n in 0..4 {
            let items: Vec<u32> = (0..n).collect();
            let slice = OneOrMany::from(items.clone());
            assert_eq!(&*slice, &items[..]);
            assert_eq!(matches!(slice, OneOrMany::One(_)), n == 1);
        }
        let mut collected: OneOrMany<String> = ["a"].iter().map(|s| s.to_string()).collect();
        collected[0].push('b');
        assert_eq!(collected.iter().collect::<Vec<_>>(), ["ab"]);
    }
}
