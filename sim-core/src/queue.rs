//! A deterministic, monotone event queue.
//!
//! Events are ordered by `(time, insertion sequence)`: the earliest time first, and among
//! events at the same time the one inserted first. Sequence numbers are unique, so the
//! order is total and two runs that push the same events pop them in the same order.
//!
//! The queue is a **radix heap** (Ahuja, Mehlhorn, Orlin & Tarjan, "Faster algorithms for
//! the shortest path problem", JACM 1990) over the time in picoseconds. A discrete-event
//! simulation never schedules into the past, so keys only grow past the last one popped —
//! the monotone property a radix heap needs. Bucket `b > 0` holds events whose time's
//! highest bit differing from the last popped time is bit `b − 1`; bucket 0 holds the
//! events at exactly the last popped time, first in first out. A pop from an empty bucket
//! 0 finds the first non-empty bucket (a bitmask), makes its minimum time the new "last"
//! and redistributes it into lower buckets. Push is O(1); pop is amortised
//! O(log of the time spread).
//!
//! **Why ties stay in insertion order.** The bucket of an event depends only on its time
//! and on the last popped time, and a redistribution never changes the bucket of events
//! above the redistributed one; so all events of one time always share a bucket. Pushes
//! append and redistributions move events in order, so within a bucket events of equal
//! time keep their insertion order, and bucket 0 is served from its front.
//!
//! ```
//! use sim_core::{EventQueue, Time};
//! let mut q = EventQueue::new();
//! q.push(Time::from_ps(5), "b").unwrap();
//! q.push(Time::from_ps(1), "a").unwrap();
//! q.push(Time::from_ps(5), "c").unwrap(); // same time as "b", inserted later
//! assert_eq!(q.pop(), Some((Time::from_ps(1), "a")));
//! assert_eq!(q.pop(), Some((Time::from_ps(5), "b")));
//! assert_eq!(q.pop(), Some((Time::from_ps(5), "c")));
//! assert_eq!(q.pop(), None);
//! ```

use std::collections::VecDeque;

use crate::{SimError, Time};

const N_BUCKETS: usize = 65;

/// A priority queue of `T` keyed by [`Time`], FIFO among equal times, that refuses times
/// earlier than the last one popped.
#[derive(Debug)]
pub struct EventQueue<T> {
    /// Events at exactly `last`, in insertion order.
    now_bucket: VecDeque<T>,
    /// `buckets[b]` for b in 1..=64 (index 0 unused).
    buckets: Vec<Vec<(u64, T)>>,
    /// Bit `b` set ⇔ `buckets[b]` is non-empty (b ≥ 1).
    occupied: u128,
    /// The last popped time, in ps (the queue's "now").
    last: u64,
    len: usize,
    /// A spare vector, reused for redistribution to avoid allocations.
    spare: Vec<(u64, T)>,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[inline]
fn bucket_of(t: u64, last: u64) -> usize {
    (64 - (t ^ last).leading_zeros()) as usize
}

impl<T> EventQueue<T> {
    /// An empty queue whose "now" is time zero.
    pub fn new() -> Self {
        EventQueue {
            now_bucket: VecDeque::new(),
            buckets: (0..N_BUCKETS).map(|_| Vec::new()).collect(),
            occupied: 0,
            last: 0,
            len: 0,
            spare: Vec::new(),
        }
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The time of the last event popped (time zero before the first pop).
    pub fn now(&self) -> Time {
        Time::from_ps(self.last)
    }

    /// Schedules `item` at `time`, after every event already queued for that time.
    /// Errors with [`SimError::EventInPast`] if `time` is before the last popped time.
    #[inline]
    pub fn push(&mut self, time: Time, item: T) -> Result<(), SimError> {
        let t = time.as_ps();
        if t < self.last {
            return Err(SimError::EventInPast {
                at: time,
                now: self.now(),
            });
        }
        let b = bucket_of(t, self.last);
        if b == 0 {
            self.now_bucket.push_back(item);
        } else {
            self.buckets[b].push((t, item));
            self.occupied |= 1 << b;
        }
        self.len += 1;
        Ok(())
    }

    /// Removes and returns the earliest event (FIFO among equal times).
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, T)> {
        self.pop_until(Time::MAX)
    }

    /// Removes and returns the earliest event if its time is at or before `limit`;
    /// otherwise leaves the queue unchanged and returns `None`.
    #[inline]
    pub fn pop_until(&mut self, limit: Time) -> Option<(Time, T)> {
        if self.now_bucket.is_empty() {
            if self.occupied == 0 {
                return None;
            }
            let b = self.occupied.trailing_zeros() as usize;
            let min = self.buckets[b].iter().map(|(t, _)| *t).min()?;
            if min > limit.as_ps() {
                return None;
            }
            self.last = min;
            self.occupied &= !(1 << b);
            let mut moved =
                std::mem::replace(&mut self.buckets[b], std::mem::take(&mut self.spare));
            for (t, item) in moved.drain(..) {
                let nb = bucket_of(t, min);
                if nb == 0 {
                    self.now_bucket.push_back(item);
                } else {
                    self.buckets[nb].push((t, item));
                    self.occupied |= 1 << nb;
                }
            }
            self.spare = moved;
        } else if self.last > limit.as_ps() {
            return None;
        }
        let item = self.now_bucket.pop_front()?;
        self.len -= 1;
        Some((Time::from_ps(self.last), item))
    }

    /// The time of the earliest pending event, without removing it (O(size of one
    /// bucket)).
    pub fn peek_time(&self) -> Option<Time> {
        if !self.now_bucket.is_empty() {
            return Some(Time::from_ps(self.last));
        }
        if self.occupied == 0 {
            return None;
        }
        let b = self.occupied.trailing_zeros() as usize;
        self.buckets[b]
            .iter()
            .map(|(t, _)| *t)
            .min()
            .map(Time::from_ps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn refuses_the_past() {
        let mut q = EventQueue::new();
        q.push(Time::from_ps(10), 1).unwrap();
        assert_eq!(q.pop(), Some((Time::from_ps(10), 1)));
        assert!(matches!(
            q.push(Time::from_ps(9), 2),
            Err(SimError::EventInPast { .. })
        ));
        // The present is allowed.
        q.push(Time::from_ps(10), 3).unwrap();
        assert_eq!(q.pop(), Some((Time::from_ps(10), 3)));
    }

    #[test]
    fn pop_until_leaves_later_events() {
        let mut q = EventQueue::new();
        q.push(Time::from_ps(100), 'x').unwrap();
        assert_eq!(q.pop_until(Time::from_ps(99)), None);
        assert_eq!(q.len(), 1);
        assert_eq!(q.peek_time(), Some(Time::from_ps(100)));
        // Scheduling between now and the pending event is still allowed.
        q.push(Time::from_ps(50), 'y').unwrap();
        assert_eq!(
            q.pop_until(Time::from_ps(100)),
            Some((Time::from_ps(50), 'y'))
        );
        assert_eq!(
            q.pop_until(Time::from_ps(100)),
            Some((Time::from_ps(100), 'x'))
        );
        assert!(q.is_empty());
    }

    proptest! {
        /// Interleaved pushes (never into the past) and pops come out in
        /// (time, insertion) order, exactly as a stable sort of the pushes would give.
        #[test]
        fn pops_in_time_then_insertion_order(
            ops in proptest::collection::vec((0u64..50, 0u8..3), 1..400)
        ) {
            let mut q = EventQueue::new();
            let mut reference: Vec<(u64, u64, usize)> = Vec::new(); // (time, seq, id)
            let mut seq = 0u64;
            let mut popped_q = Vec::new();
            let mut popped_ref = Vec::new();
            for (i, (delay, op)) in ops.iter().enumerate() {
                if *op == 0 && !reference.is_empty() {
                    let (t, id) = q.pop().unwrap();
                    popped_q.push((t.as_ps(), id));
                    let (pos, _) = reference.iter().enumerate()
                        .min_by_key(|(_, (t, s, _))| (*t, *s)).unwrap();
                    let (t, _, id) = reference.remove(pos);
                    popped_ref.push((t, id));
                } else {
                    let t = q.now().as_ps() + delay;
                    q.push(Time::from_ps(t), i).unwrap();
                    reference.push((t, seq, i));
                    seq += 1;
                }
            }
            while let Some((t, id)) = q.pop() {
                popped_q.push((t.as_ps(), id));
            }
            reference.sort_by_key(|(t, s, _)| (*t, *s));
            popped_ref.extend(reference.iter().map(|(t, _, id)| (*t, *id)));
            prop_assert_eq!(popped_q, popped_ref);
        }
    }
}
