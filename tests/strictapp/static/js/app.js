console.log("strict app");
