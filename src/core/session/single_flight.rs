//! One future run once for any number of callers, and abortable: the refresh coordinator's flight.
//!
//! It does what `futures`' `Shared` around an `Abortable` did, for a single thread: every caller
//! holds a [`Joined`] handle; whichever polls drives the work, with a waker that wakes every
//! caller; all get a clone of its outcome; [`Flight::abort`] drops the work (which cancels what it
//! waits on: the request, the lock) and gives every caller the outcome it was aborted with. The
//! wakers sit in one list, a slot per handle; `Shared` kept them in a slab behind an
//! `Arc<Mutex<…>>` per flight and a second `Arc` for the abort: 0.7 KB more gzip in the main entry,
//! 0.6 KB in the auth entry (92b53ba).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use futures::future::LocalBoxFuture;

/// Where the work stands.
enum State<T> {
    /// Not being polled right now.
    Idle(LocalBoxFuture<'static, T>),
    /// A caller is polling it (a caller polled from inside that poll waits to be woken).
    Polling {
        /// Aborted meanwhile, with this outcome: the poll's caller drops the work.
        aborted: Option<T>,
    },
    /// Finished or aborted.
    Done(T),
}

/// The callers' wakers, a slot per handle that has polled.
#[derive(Default)]
struct Wakers(Mutex<Vec<Option<Waker>>>);

impl Wakers {
    fn slots(&self) -> std::sync::MutexGuard<'_, Vec<Option<Waker>>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Wakes every caller but the one in slot `except`.
    fn wake_all(&self, except: Option<usize>) {
        let wakers: Vec<Waker> = (self.slots().iter().enumerate())
            .filter(|(i, _)| Some(*i) != except)
            .filter_map(|(_, w)| w.clone())
            .collect();
        for waker in wakers {
            waker.wake();
        }
    }
}

/// The work's own waker: progress of the work wakes every caller, so that one of them drives it.
impl Wake for Wakers {
    fn wake(self: Arc<Self>) {
        self.wake_all(None);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wake_all(None);
    }
}

struct Shared<T> {
    state: RefCell<State<T>>,
    wakers: Arc<Wakers>,
}

/// The work; [`Flight::join`] gives the callers' handles.
pub(super) struct Flight<T>(Rc<Shared<T>>);

impl<T: Clone + 'static> Flight<T> {
    /// Starts nothing yet: the work runs when a handle is polled.
    pub(super) fn new(work: LocalBoxFuture<'static, T>) -> Self {
        Self(Rc::new(Shared {
            state: RefCell::new(State::Idle(work)),
            wakers: Arc::default(),
        }))
    }

    /// A handle that resolves to the work's outcome.
    pub(super) fn join(&self) -> Joined<T> {
        Joined {
            shared: Rc::clone(&self.0),
            slot: None,
        }
    }

    /// Ends the work with `outcome` unless it has finished: the work is dropped (now, or when the
    /// poll in progress returns), and every caller gets `outcome`.
    pub(super) fn abort(&self, outcome: T) {
        let mut state = self.0.state.borrow_mut();
        match &mut *state {
            State::Done(_) => {}
            State::Polling { aborted } => *aborted = Some(outcome),
            State::Idle(_) => {
                let work = std::mem::replace(&mut *state, State::Done(outcome));
                drop(state);
                drop(work);
                self.0.wakers.wake_all(None);
            }
        }
    }
}

/// A caller's handle on a [`Flight`]; clones are further callers.
pub(super) struct Joined<T> {
    shared: Rc<Shared<T>>,
    /// This handle's slot in the waker list, once it has polled.
    slot: Option<usize>,
}

impl<T> Clone for Joined<T> {
    fn clone(&self) -> Self {
        Self {
            shared: Rc::clone(&self.shared),
            slot: None,
        }
    }
}

impl<T> Joined<T> {
    /// Keeps `waker` in this handle's slot. A waker it replaces is dropped after the list is
    /// unlocked: dropping a waker can drop a task, and with it another handle of this flight,
    /// whose own drop locks the list.
    fn register(&mut self, waker: &Waker) {
        let replaced = {
            let mut slots = self.shared.wakers.slots();
            match self.slot {
                Some(i) => match &mut slots[i] {
                    Some(w) if w.will_wake(waker) => None,
                    slot => slot.replace(waker.clone()),
                },
                None => {
                    self.slot = Some(slots.len());
                    slots.push(Some(waker.clone()));
                    None
                }
            }
        };
        drop(replaced);
    }
}

impl<T> Drop for Joined<T> {
    fn drop(&mut self) {
        if let Some(i) = self.slot {
            // Taken out under the lock, dropped after it (see `register`).
            let waker = self.shared.wakers.slots()[i].take();
            drop(waker);
        }
    }
}

impl<T: Clone> Future for Joined<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let shared = Rc::clone(&self.shared);
        let mut state = shared.state.borrow_mut();
        let mut work = match std::mem::replace(&mut *state, State::Polling { aborted: None }) {
            State::Idle(work) => work,
            State::Done(outcome) => {
                *state = State::Done(outcome.clone());
                return Poll::Ready(outcome);
            }
            polling => {
                *state = polling;
                drop(state);
                self.register(cx.waker());
                return Poll::Pending;
            }
        };
        drop(state);
        self.register(cx.waker());
        let waker = Waker::from(Arc::clone(&shared.wakers));
        let polled = work.as_mut().poll(&mut Context::from_waker(&waker));
        let mut state = shared.state.borrow_mut();
        let aborted = match &mut *state {
            State::Polling { aborted } => aborted.take(),
            _ => None,
        };
        let outcome = match (polled, aborted) {
            (Poll::Ready(outcome), _) | (Poll::Pending, Some(outcome)) => outcome,
            (Poll::Pending, None) => {
                *state = State::Idle(work);
                return Poll::Pending;
            }
        };
        *state = State::Done(outcome.clone());
        drop(state);
        drop(work);
        shared.wakers.wake_all(self.slot);
        Poll::Ready(outcome)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::future::Future;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    use futures::channel::oneshot;
    use futures::FutureExt;

    use super::{Flight, Joined};

    /// A waker that counts its wakes.
    #[derive(Default)]
    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A waker and the count of its wakes.
    fn counting_waker() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count::default());
        (count.clone(), Waker::from(count))
    }

    fn poll(joined: &mut Joined<u32>, waker: &Waker) -> Poll<u32> {
        Pin::new(joined).poll(&mut Context::from_waker(waker))
    }

    /// Sets its flag when dropped: tells whether the work was dropped.
    struct OnDrop(Rc<Cell<bool>>);

    impl Drop for OnDrop {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }

    /// Work that resolves to what `send` sends, with how many times it ran and whether it was
    /// dropped.
    struct Work {
        flight: Flight<u32>,
        send: oneshot::Sender<u32>,
        runs: Rc<Cell<u32>>,
        dropped: Rc<Cell<bool>>,
    }

    fn work() -> Work {
        let (send, receive) = oneshot::channel();
        let (runs, dropped) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(false)));
        let (counted, guard) = (runs.clone(), OnDrop(dropped.clone()));
        let flight = Flight::new(
            async move {
                let _guard = guard;
                counted.set(counted.get() + 1);
                receive.await.unwrap_or(0)
            }
            .boxed_local(),
        );
        Work {
            flight,
            send,
            runs,
            dropped,
        }
    }

    #[test]
    fn every_caller_gets_the_one_outcome_and_is_woken_for_it() {
        let Work {
            flight,
            send,
            runs,
            dropped,
        } = work();
        let ((a, wa), (b, wb)) = (counting_waker(), counting_waker());
        let (mut first, mut second) = (flight.join(), flight.join());
        assert_eq!(poll(&mut first, &wa), Poll::Pending);
        assert_eq!(poll(&mut second, &wb), Poll::Pending);
        send.send(7).unwrap();
        // The work's progress wakes both callers, whichever drove it.
        assert!(a.0.load(Ordering::SeqCst) >= 1 && b.0.load(Ordering::SeqCst) >= 1);
        assert_eq!(poll(&mut second, &wb), Poll::Ready(7));
        assert_eq!(poll(&mut first, &wa), Poll::Ready(7));
        assert_eq!(
            poll(&mut flight.join(), &wa),
            Poll::Ready(7),
            "a late caller"
        );
        assert_eq!(runs.get(), 1, "the work ran once");
        assert!(dropped.get(), "finished work is dropped");
    }

    #[test]
    fn a_caller_that_goes_away_leaves_the_work_to_the_others() {
        let Work { flight, send, .. } = work();
        let (b, wb) = counting_waker();
        let mut second = flight.join();
        assert_eq!(poll(&mut second, &wb), Poll::Pending);
        let mut first = flight.join();
        assert_eq!(poll(&mut first, &counting_waker().1), Poll::Pending);
        drop(first); // the last to drive it
        send.send(3).unwrap();
        assert!(
            b.0.load(Ordering::SeqCst) >= 1,
            "the remaining caller is woken"
        );
        assert_eq!(poll(&mut second, &wb), Poll::Ready(3));
    }

    #[test]
    fn abort_drops_the_work_and_answers_every_caller() {
        let Work {
            flight,
            send,
            dropped,
            ..
        } = work();
        let (a, wa) = counting_waker();
        let mut joined = flight.join();
        assert_eq!(poll(&mut joined, &wa), Poll::Pending);
        flight.abort(99);
        assert!(dropped.get(), "aborted work is dropped at once");
        assert!(send.is_canceled(), "what it waited on is cancelled");
        assert_eq!(a.0.load(Ordering::SeqCst), 1, "the caller is woken");
        assert_eq!(poll(&mut joined, &wa), Poll::Ready(99));
        flight.abort(5);
        assert_eq!(
            poll(&mut flight.join(), &wa),
            Poll::Ready(99),
            "done stays done"
        );
    }

    #[test]
    fn an_abort_from_inside_the_work_ends_it_when_its_poll_returns() {
        let slot: Rc<Cell<Option<Flight<u32>>>> = Rc::default();
        let (dropped, inner_slot) = (Rc::new(Cell::new(false)), slot.clone());
        let (_send, receive) = oneshot::channel::<u32>();
        let guard = OnDrop(dropped.clone());
        let flight = Rc::new(Flight::new(
            async move {
                let _guard = guard;
                // Re-entrant: the work aborts its own flight (a caller's callback would).
                if let Some(me) = inner_slot.take() {
                    me.abort(42);
                }
                receive.await.unwrap_or(0)
            }
            .boxed_local(),
        ));
        slot.set(Some(Flight(Rc::clone(&flight.0))));
        let (_, waker) = counting_waker();
        let mut joined = flight.join();
        assert_eq!(poll(&mut joined, &waker), Poll::Ready(42));
        assert!(dropped.get());
    }

    #[test]
    fn a_caller_polled_from_inside_the_work_waits_for_its_outcome() {
        let inner_joined: Rc<Cell<Option<Joined<u32>>>> = Rc::default();
        let seen = Rc::new(Cell::new(None));
        let (send, receive) = oneshot::channel::<u32>();
        let (slot, saw) = (inner_joined.clone(), seen.clone());
        let flight = Flight::new(
            async move {
                if let Some(mut me) = slot.take() {
                    let (_, waker) = counting_waker();
                    saw.set(Some(poll(&mut me, &waker)));
                }
                receive.await.unwrap_or(0)
            }
            .boxed_local(),
        );
        inner_joined.set(Some(flight.join()));
        let (_, waker) = counting_waker();
        let mut joined = flight.join();
        assert_eq!(poll(&mut joined, &waker), Poll::Pending);
        assert_eq!(
            seen.get(),
            Some(Poll::Pending),
            "no second run, no deadlock"
        );
        send.send(1).unwrap();
        assert_eq!(poll(&mut joined, &waker), Poll::Ready(1));
    }
}
