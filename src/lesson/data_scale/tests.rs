use super::*;

#[test]
fn each_net_is_searched_over_the_learning_rates_as_its_curve_trains_it() {
    let fashion = crate::data::fashion_mnist().unwrap();
    let curve = data_scale_fashion(Profile::Quick, &fashion).unwrap();
    let searches = net_search(Profile::Quick, &fashion).unwrap();
    // the MLPs, then the convolutional net
    assert_eq!(
        searches.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
        [NETS.as_slice(), &[CNN]].concat()
    );
    for (net, candidates) in &searches {
        assert_eq!(candidates.models.len(), NET_LEARNING_RATES.len());
        assert_eq!(candidates.sizes, vec![*curve.sizes.last().unwrap()]);
        // the curve's own setting is one of the candidates, so the search can confirm it
        let own = &curve.models.iter().find(|(n, _)| n == net).unwrap().1;
        assert!(candidates.models.iter().any(|(_, s)| s == own), "{net}");
        // validation images are training images, never the test set
        assert_ne!(candidates.test.name, curve.test.name);
    }
}
