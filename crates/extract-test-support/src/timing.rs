//! Reading what a rate limit let through.

use std::time::Duration;

/// The most of `times` (in order) that fall within any one `window`; the
/// instants are std's or tokio's (which a paused clock moves).
pub fn max_in_window<T>(times: &[T], window: Duration) -> usize
where
    T: Copy + std::ops::Sub<Output = Duration>,
{
    (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|t| **t - times[i] < window)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn counts_the_busiest_window() {
        let t0 = Instant::now();
        let ms = |m| t0 + Duration::from_millis(m);
        let times = [ms(0), ms(100), ms(900), ms(1000), ms(1050), ms(1800)];
        assert_eq!(max_in_window(&times, Duration::from_secs(1)), 4);
        assert_eq!(max_in_window::<Instant>(&[], Duration::from_secs(1)), 0);
    }
}
