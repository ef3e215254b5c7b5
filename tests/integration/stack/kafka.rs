//! Kafka: create a topic, produce with record timestamps, consume in a group, commit, and
//! find offsets by time through `rdkafka` (what the handoff to the streaming half uses).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ksbulk_tests::{require_kafka, unique_name};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};

const TIMEOUT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_produces_consumes_commits_and_finds_offsets_by_time() {
    let bootstrap = require_kafka();
    let topic = unique_name("stack_it");

    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .create()
        .expect("admin client");
    let created = admin
        .create_topics(&[NewTopic::new(&topic, 1, TopicReplication::Fixed(1))], &AdminOptions::new())
        .await
        .expect("create_topics request");
    assert!(created.iter().all(|r| r.is_ok()), "topic creation failed: {created:?}");

    // Three records one second apart, a minute in the past.
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() as i64;
    let t0 = now_ms - 60_000;
    let records = [("k0", "v0", t0), ("k1", "v1", t0 + 1_000), ("k2", "v2", t0 + 2_000)];

    let topic_for_io = topic.clone();
    let bootstrap_for_io = bootstrap.clone();
    tokio::task::spawn_blocking(move || {
        let topic = topic_for_io;
        let producer: BaseProducer = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap_for_io)
            .set("acks", "all")
            .create()
            .expect("producer");
        for (key, value, ts) in records {
            producer
                .send(BaseRecord::to(&topic).key(key).payload(value).timestamp(ts))
                .unwrap_or_else(|(e, _)| panic!("enqueue {key}: {e}"));
        }
        producer.flush(TIMEOUT).expect("flush: every record acknowledged");

        let group = format!("{topic}_group");
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap_for_io)
            .set("group.id", &group)
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "earliest")
            .create()
            .expect("consumer");
        consumer.subscribe(&[&topic]).expect("subscribe");

        let mut got = Vec::new();
        let deadline = Instant::now() + TIMEOUT;
        while got.len() < records.len() {
            assert!(Instant::now() < deadline, "only {} of {} records consumed: {got:?}", got.len(), records.len());
            if let Some(msg) = consumer.poll(Duration::from_millis(500)) {
                let msg = msg.expect("consume");
                got.push((
                    String::from_utf8_lossy(msg.key().unwrap_or_default()).into_owned(),
                    String::from_utf8_lossy(msg.payload().unwrap_or_default()).into_owned(),
                    msg.timestamp().to_millis().expect("record timestamp"),
                    msg.offset(),
                ));
            }
        }
        let expected: Vec<_> = records
            .iter()
            .enumerate()
            .map(|(i, (k, v, ts))| (k.to_string(), v.to_string(), *ts, i as i64))
            .collect();
        assert_eq!(got, expected);

        consumer.commit_consumer_state(CommitMode::Sync).expect("commit");
        let committed = consumer.committed(TIMEOUT).expect("committed offsets");
        let offset = committed.find_partition(&topic, 0).expect("partition 0 committed").offset();
        assert_eq!(offset, Offset::Offset(3), "the group's committed position is after the 3 records");

        // The first record at or after t0 + 500 ms is the second one (offset 1).
        let mut by_time = TopicPartitionList::new();
        by_time.add_partition_offset(&topic, 0, Offset::Offset(t0 + 500)).expect("tpl");
        let found = consumer.offsets_for_times(by_time, TIMEOUT).expect("offsets_for_times");
        assert_eq!(found.find_partition(&topic, 0).expect("partition 0").offset(), Offset::Offset(1));
    })
    .await
    .expect("producer/consumer thread");

    admin.delete_topics(&[&topic], &AdminOptions::new()).await.expect("delete topic");
}
