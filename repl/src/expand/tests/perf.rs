use super::*;

#[test]
#[ignore]
fn perf_loop_words() {
    let mut env = TestEnv::standard();
    env.set("i", "0");
    let test = words("[ $i -lt 100000 ]");
    let inc = word("$((i+1))");
    let forw = words("a b c d e f g h i j");
    let t = std::time::Instant::now();
    block(async {
        for _ in 0..100_000 {
            let f = fields(&mut env, &test).await.unwrap();
            assert_eq!(f.len(), 5);
            let v = string(&mut env, &inc).await.unwrap();
            env.set("i", &v);
        }
    });
    let loop_t = t.elapsed();
    let t = std::time::Instant::now();
    block(async {
        for _ in 0..10_000 {
            let f = fields(&mut env, &forw).await.unwrap();
            assert_eq!(f.len(), 10);
        }
    });
    eprintln!(
        "PERF loop 100k: {loop_t:?}; 100k literal words: {:?}",
        t.elapsed()
    );
}
