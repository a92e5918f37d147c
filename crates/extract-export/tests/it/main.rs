//! Exports read back by independent readers: `csv` for CSV, `calamine` (not
//! the writer's crate) for XLSX.

mod readback;
