//! Every target passes on every one of its seeds (the corpus `cargo fuzz`
//! starts from), so a failure in CI's fuzzing step is a new input's.

#[test]
fn every_seed_passes_its_target() {
    for target in dancu_fuzz::TARGETS {
        let seeds = (target.seeds)();
        assert!(seeds.len() >= 2, "{}: too few seeds", target.name);
        for (i, seed) in seeds.iter().enumerate() {
            assert!(
                seed.len() <= target.max_len,
                "{}: seed {i} is longer than max_len",
                target.name
            );
            (target.run)(seed);
        }
    }
}

#[test]
fn targets_are_named_once_and_found_by_name() {
    for (i, t) in dancu_fuzz::TARGETS.iter().enumerate() {
        assert!(dancu_fuzz::TARGETS[..i].iter().all(|u| u.name != t.name));
        assert_eq!(dancu_fuzz::target(t.name).map(|u| u.name), Some(t.name));
    }
    assert!(dancu_fuzz::target("nope").is_none());
}

/// Every input a fuzz run found (kept in `regressions/<target>/`) passes
/// its target now; each also has a test in the crate that had the bug.
#[test]
fn every_kept_crash_input_passes_its_target() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("the regressions directory") {
        let entry = entry.expect("a directory entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let target = dancu_fuzz::target(&name).unwrap_or_else(|| panic!("no target {name}"));
        for file in std::fs::read_dir(entry.path()).expect("a target's directory") {
            let data = std::fs::read(file.expect("an entry").path()).expect("a kept input");
            (target.run)(&data);
            replayed += 1;
        }
    }
    assert!(replayed >= 4, "only {replayed} kept inputs");
}
