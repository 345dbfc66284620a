//! What `/proc` says about a process and the machine.

use crate::error::BenchError;

/// `VmHWM` (peak resident set size) of a live process, in KiB.
pub fn peak_rss_kib(pid: u32) -> Result<u64, BenchError> {
    status_kib(pid, "VmHWM:")
}

/// `VmRSS` (resident set size now) of a live process, in KiB.
pub fn rss_kib(pid: u32) -> Result<u64, BenchError> {
    status_kib(pid, "VmRSS:")
}

/// One `kB` field of `/proc/<pid>/status`.
fn status_kib(pid: u32, field: &str) -> Result<u64, BenchError> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path)
        .map_err(|error| BenchError::new(format!("cannot read {path}: {error}")))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| BenchError::new(format!("no {field} in {path}")))
}

/// How many file descriptors a live process holds open (`/proc/<pid>/fd`).
pub fn open_fds(pid: u32) -> Result<usize, BenchError> {
    let path = format!("/proc/{pid}/fd");
    std::fs::read_dir(&path)
        .map(Iterator::count)
        .map_err(|error| BenchError::new(format!("cannot list {path}: {error}")))
}

/// The CPU model from `/proc/cpuinfo`.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .and_then(|rest| rest.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Total memory from `/proc/meminfo`, in KiB.
pub fn mem_total_kib() -> Option<u64> {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("MemTotal:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
}

/// The 1-minute load average.
pub fn load_average() -> Option<String> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|load| load.split_whitespace().next().map(str::to_string))
}

/// CPU time (user + system) a process has used so far, in seconds.
pub fn cpu_seconds(pid: u32) -> Result<f64, BenchError> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path)
        .map_err(|error| BenchError::new(format!("cannot read {path}: {error}")))?;
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis
    // start with field 3, so utime (14) and stime (15) are the 12th and 13th there.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let tick = |index: usize| {
        fields
            .get(index)
            .and_then(|field| field.parse::<u64>().ok())
    };
    match (tick(11), tick(12)) {
        (Some(user), Some(system)) => Ok((user + system) as f64 / clock_ticks_per_second()),
        _ => Err(BenchError::new(format!("cannot parse {path}"))),
    }
}

fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8_lossy(&out.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// The share of CPU time (all cores) spent busy over `window`, from `/proc/stat`.
pub fn busy_share(window: std::time::Duration) -> Option<f64> {
    let before = CpuTotals::now()?;
    std::thread::sleep(window);
    let after = CpuTotals::now()?;
    let total = after.all.checked_sub(before.all)?;
    let idle = after.idle.checked_sub(before.idle)?;
    (total > 0).then(|| 1.0 - idle as f64 / total as f64)
}

/// The machine's CPU time so far, from the first line of `/proc/stat`, in jiffies.
#[derive(Debug, Clone, Copy)]
pub struct CpuTotals {
    all: u64,
    /// idle + iowait.
    idle: u64,
    /// Time the hypervisor ran something else while this machine had work ("steal"): other
    /// virtual machines on the same host, invisible to anything inside this one.
    steal: u64,
}

impl CpuTotals {
    pub fn now() -> Option<CpuTotals> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let fields: Vec<u64> = stat
            .lines()
            .next()?
            .split_whitespace()
            .skip(1)
            .filter_map(|field| field.parse().ok())
            .collect();
        Some(CpuTotals {
            all: fields.iter().sum(),
            idle: fields.get(3)? + fields.get(4)?,
            steal: fields.get(7).copied().unwrap_or(0),
        })
    }

    /// The share of all CPU time since `self` that the hypervisor stole (0 when unknown).
    pub fn steal_share_since(self) -> f64 {
        let Some(now) = CpuTotals::now() else {
            return 0.0;
        };
        let all = now.all.saturating_sub(self.all);
        let steal = now.steal.saturating_sub(self.steal);
        if all == 0 {
            0.0
        } else {
            steal as f64 / all as f64
        }
    }
}
