//! S3: write, read, list, conditional create and delete an object through `object_store`
//! on the moto server.

use ksbulk_tests::{require_s3, s3_bucket, unique_name};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

fn store() -> impl ObjectStore {
    let endpoint = require_s3();
    AmazonS3Builder::new()
        .with_endpoint(&endpoint)
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_bucket_name(s3_bucket())
        .with_access_key_id("test")
        .with_secret_access_key("test")
        .build()
        .unwrap_or_else(|e| panic!("S3 client for {endpoint}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_round_trips_an_object() {
    let store = store();
    let prefix = Path::from(unique_name("stack_it"));
    let path = prefix.clone().join("snapshots").join("nb-1-big-Data.db");
    let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();

    store.put(&path, PutPayload::from(body.clone())).await.expect("put");

    let got = store.get(&path).await.expect("get").bytes().await.expect("read body");
    assert_eq!(got.as_ref(), body.as_slice());

    // A ranged read, as the SSTable reader does.
    let range = store.get_range(&path, 1_000..1_010).await.expect("get_range");
    assert_eq!(range.as_ref(), &body[1_000..1_010]);

    let meta = store.head(&path).await.expect("head");
    assert_eq!(meta.size, body.len() as u64);

    let listed = store.list_with_delimiter(Some(&prefix.clone().join("snapshots"))).await.expect("list");
    let names: Vec<_> = listed.objects.iter().map(|o| o.location.to_string()).collect();
    assert_eq!(names, vec![path.to_string()]);

    // Create-if-absent must refuse an existing object (checkpoints rely on it).
    let again = store
        .put_opts(&path, PutPayload::from_static(b"other"), PutOptions::from(PutMode::Create))
        .await;
    assert!(
        matches!(again, Err(object_store::Error::AlreadyExists { .. })),
        "conditional create over an existing object must fail with AlreadyExists, got {again:?}"
    );

    store.delete(&path).await.expect("delete");
    assert!(matches!(store.head(&path).await, Err(object_store::Error::NotFound { .. })));
}
